"""The electronic archive (R26.1, R26.2): every step of a case hash-chained; ``verify_archive``
names the first broken link when a row is altered or removed directly in the database; the
chain over the API; the case file as JSON and as PDF with Chinese text."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import subprocess
import zlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.test import APIClient

from cases import archive, services
from cases.inputs import ReportInput
from cases.models import Attachment, Case, CaseEvent
from cases.tests.conftest import photo

pytestmark = pytest.mark.django_db

DESCRIPTION = "小区门口路灯损坏，夜间有治安隐患"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def report(world, actor=None, **kw):
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", DESCRIPTION)
    return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


def full_loop(world) -> Case:
    """Reported by a resident with a photo, verified, accepted, dispatched, signed, fed back
    with a photo, checked and rated: ten archive events."""
    case = report(world, world.resident, photos=[photo()])
    services.verify(world.worker, case.pk)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk)
    services.sign(world.urban_handler, case.pk)
    services.sign(world.police_handler, case.pk)
    services.feedback(world.urban_handler, case.pk, note="协助清理")
    services.feedback(
        world.police_handler, case.pk, note="已更换灯具", photos=[photo("done.jpg", color="blue")]
    )
    services.check(world.dispatcher, case.pk, passed=True, note="核查通过")
    return services.evaluate(world.resident, case.pk, rating="satisfied", comment="很及时")


def dispatched(world) -> Case:
    """Four events: report, accept, dispatch, sign; no attachments."""
    case = report(world)
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, lead_department=world.police.pk)
    return services.sign(world.police_handler, case.pk)


def verify_archive(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_archive", *args, stdout=out, stderr=out)
    return out.getvalue().strip()


def raw_sql(sql: str, params: list) -> None:
    """What someone with database access could do: the model refuses, SQL does not."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(event=CaseEvent._meta.db_table, case=Case._meta.db_table), params)


# --- the chain ----------------------------------------------------------------------------------


def test_r26_2_every_step_is_chained_and_the_chain_is_intact_after_a_full_loop(world):
    case = full_loop(world)
    events = list(case.events.order_by("seq"))
    assert [e.action for e in events] == [
        "report",
        "verify",
        "accept",
        "dispatch",
        "sign",
        "sign",
        "feedback",
        "feedback",
        "check",
        "evaluate",
    ]
    previous = archive.GENESIS
    for seq, event in enumerate(events, start=1):
        assert event.seq == seq and event.prev_hash == previous
        assert event.hash == archive.compute_hash(previous, event)
        previous = event.hash
    assert (case.archive_seq, case.archive_head) == (10, previous)
    # Who, in which role, from which state to which (R26.2).
    check = events[8]
    assert (check.actor, check.role, check.from_state, check.to_state) == (
        world.dispatcher,
        "dispatcher",
        "handled",
        "closed",
    )
    assert list(archive.verify()) == []
    assert verify_archive() == "1 cases, 10 events: intact"
    assert verify_archive("--case", str(case.pk)) == "1 cases, 10 events: intact"


def test_r26_2_the_model_refuses_to_change_or_remove_events(world):
    case = dispatched(world)
    event = case.events.get(seq=2)
    with pytest.raises(RuntimeError, match="append-only"):
        CaseEvent.objects.filter(pk=event.pk).update(note="改过")
    with pytest.raises(RuntimeError, match="append-only"):
        CaseEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()
    assert verify_archive() == "1 cases, 4 events: intact"


def _alter(case: Case) -> None:
    raw_sql("UPDATE {event} SET note = %s WHERE case_id = %s AND seq = 3", ["改过", case.pk])


def _alter_and_rehash(case: Case) -> None:
    # Recomputing the altered row's own hash does not help: the next event still points at
    # the old one.
    event = case.events.get(seq=2)
    event.note = "改过"
    rehashed = archive.compute_hash(event.prev_hash, event)
    raw_sql(
        "UPDATE {event} SET note = %s, hash = %s WHERE case_id = %s AND seq = 2",
        ["改过", rehashed, case.pk],
    )


def _delete_middle(case: Case) -> None:
    raw_sql("DELETE FROM {event} WHERE case_id = %s AND seq = 2", [case.pk])


def _delete_last(case: Case) -> None:
    raw_sql("DELETE FROM {event} WHERE case_id = %s AND seq = 4", [case.pk])


def _delete_all(case: Case) -> None:
    raw_sql("DELETE FROM {event} WHERE case_id = %s", [case.pk])


def _change_head(case: Case) -> None:
    third = case.events.get(seq=3)
    raw_sql("UPDATE {case} SET archive_head = %s WHERE id = %s", [third.hash, case.pk])


@pytest.mark.parametrize(
    ("tamper", "seq", "reason"),
    [
        (_alter, 3, "content does not match its hash (altered)"),
        (_alter_and_rehash, 3, "does not follow the previous event's hash"),
        (_delete_middle, 2, "missing (found event 3 next)"),
        (_delete_last, 4, "the case records a last event the chain does not end with"),
        (_delete_all, 1, "the case records events but none are left"),
        (_change_head, 4, "the case records a last event the chain does not end with"),
    ],
    ids=[
        "altered",
        "altered-and-rehashed",
        "middle-deleted",
        "last-deleted",
        "all-deleted",
        "head",
    ],
)
def test_r26_2_verify_archive_names_the_first_broken_link(world, tamper, seq, reason):
    intact = dispatched(world)
    case = dispatched(world)
    tamper(case)
    with pytest.raises(CommandError) as broken:
        verify_archive()
    assert str(broken.value) == f"archive chain broken: case {case.pk}: event {seq}: {reason}"
    with pytest.raises(CommandError):
        verify_archive("--case", str(case.pk))
    assert verify_archive("--case", str(intact.pk)) == "1 cases, 4 events: intact"
    # The case file says so too.
    assert services_case_file(case)["chain"]["intact"] is False


def test_r26_2_verify_archive_names_the_first_of_several_breaks(world):
    first, second = dispatched(world), dispatched(world)
    _alter(second)
    _delete_middle(first)
    out = io.StringIO()
    with pytest.raises(CommandError) as broken:
        call_command("verify_archive", stdout=out, stderr=out)
    assert f"case {first.pk}: event 2: missing" in str(broken.value)
    assert f"also broken: case {second.pk}: event 3" in out.getvalue()


def test_r26_2_verify_archive_of_an_unknown_case_is_an_error(world):
    with pytest.raises(CommandError, match="no case with id 424242"):
        verify_archive("--case", "424242")


def services_case_file(case: Case) -> dict:
    from cases import exports

    return exports.case_file(Case.objects.get(pk=case.pk))


# --- over the API, and the case file ------------------------------------------------------------


@pytest.fixture
def client_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def test_r26_2_the_api_returns_the_chain(world, client_for):
    case = full_loop(world)
    response = client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/archive/")
    assert response.status_code == 200, response.content
    chain = response.json()
    stored = list(case.events.order_by("seq"))
    assert [(e["seq"], e["hash"], e["prev_hash"]) for e in chain] == [
        (e.seq, e.hash, e.prev_hash) for e in stored
    ]
    assert chain[0]["action"] == "report" and chain[0]["to_state"] == "reported"
    assert (
        chain[0]["data"]["attachments"][0]["sha256"] == stored[0].data["attachments"][0]["sha256"]
    )
    foreign = client_for(world.foreign_dispatcher).get(f"/api/v1/cases/{case.pk}/archive/")
    assert foreign.status_code == 404


def test_r26_2_json_export_lists_events_with_hashes_and_attachments_with_sha256(world, client_for):
    case = full_loop(world)
    response = client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/export.json/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["case"]["tracking_code"] == case.tracking_code
    assert data["case"]["description"] == DESCRIPTION
    assert [e["seq"] for e in data["events"]] == list(range(1, 11))
    assert [e["hash"] for e in data["events"]] == list(
        case.events.order_by("seq").values_list("hash", flat=True)
    )
    assert data["chain"] == {
        "intact": True,
        "problem": None,
        "seq": case.archive_seq,
        "head": case.archive_head,
    }
    # Every attachment with the SHA-256 of the stored bytes, and the event it belongs to.
    assert len(data["attachments"]) == 2
    for item in data["attachments"]:
        stored = Attachment.objects.get(sha256=item["sha256"])
        with stored.file.open("rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == item["sha256"]
        assert item["event"] in (1, 8)
    # Anyone holding the file can recompute the chain from it.
    previous = archive.GENESIS
    for event in data["events"]:
        assert event["prev_hash"] == previous
        previous = event["hash"]
    assert previous == data["chain"]["head"]


def pdf_text(pdf: bytes) -> str:
    """The strings a reportlab PDF draws, decoded without a PDF library: its content streams
    are ASCII85 + Flate, and text in the Chinese CID font is UTF-16BE (UniGB-UCS2-H)."""
    pieces: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)~>\s*endstream", pdf, re.S):
        try:
            content = zlib.decompress(base64.a85decode(stream, ignorechars=b" \t\r\n"))
        except (ValueError, zlib.error):
            continue
        for literal in re.findall(rb"\(((?:[^\\)]|\\.)*)\)\s*Tj", content, re.S):
            raw = re.sub(
                rb"\\([0-7]{1,3}|.)",
                lambda m: (
                    bytes([int(m.group(1), 8)])
                    if m.group(1)[:1].isdigit()
                    else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1))
                ),
                literal,
                flags=re.S,
            )
            if len(raw) % 2 == 0:
                pieces.append(raw.decode("utf-16-be", errors="replace"))
            pieces.append(raw.decode("latin-1"))
    return "\n".join(pieces)


def test_r26_2_pdf_export_is_a_pdf_with_chinese_text(world, client_for):
    case = full_loop(world)
    response = client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/export.pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert case.tracking_code in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/STSong-Light" in pdf and b"/UniGB-UCS2-H" in pdf  # a Chinese font, by reference
    text = pdf_text(pdf)
    for expected in ("事件电子档案", "办理过程", "档案链校验:完整", DESCRIPTION[:6]):
        assert expected in text
    attachment = Attachment.objects.filter(case=case).first()
    assert attachment.sha256 in text.replace("\n", "")


def test_r26_2_pdf_export_reads_as_chinese_in_a_pdf_reader(world, client_for, tmp_path):
    """The same check through poppler's pdftotext, as a reader would extract the text."""
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    case = full_loop(world)
    path = tmp_path / "case.pdf"
    path.write_bytes(
        client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/export.pdf/").content
    )
    text = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "事件电子档案" in text
    assert case.tracking_code in text
