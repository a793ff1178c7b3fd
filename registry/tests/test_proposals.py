"""R11.1 (二), R22.1: grid workers propose changes to the registry from the phone; the
township agency of the place confirms (through the registry's own services) or rejects them
with a reason; low-risk fields take effect at once by the rule table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from gridgov.testing import people as testing
from registry import proposal_rules
from registry.models import Proposal, ProposalStatus, Resident, SpecialGroupTag, Thing
from registry.tests import world as w

pytestmark = pytest.mark.django_db
API = "/api/v1/registry/proposals/"
TOWNSHIP = w.VILLAGE[:9]


@pytest.fixture
def worker():
    return testing.make_user("grid_worker_fulltime", w.GRID, username="p_worker")


@pytest.fixture
def reviewer():
    return testing.make_user("agency_admin", TOWNSHIP, username="p_reviewer")


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _propose(client, user, data):
    client.force_login(user)
    return _post(client, API, {"gps_lng": 113.075, "gps_lat": 22.605, "gps_accuracy": 12,
                               "device_time": "2026-12-04T09:30:00+08:00", **data})  # fmt: skip


def _thing():
    from registry import inputs, services

    lng, lat = w.located_grid()
    return services.create_thing(
        w.ACTOR, inputs.NewThing(kind="fire_hydrant", where=inputs.Where(lng=lng, lat=lat))
    )


def _place():
    from registry import inputs, services

    return services.create_place(
        w.ACTOR, inputs.NewPlace(kind="small_shop", name="白沙小卖部", address=w.street())
    )


def _today(days: int = 0) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _cases():
    """(kind, subject maker, body, check of the confirmed change): every kind that waits."""
    return [
        ("resident_add", lambda: w.house(),
         lambda: {"kind": "floating", "name": "李四", "id_number": w.id_number(81),
                  "phone": testing.mobile(81), "house_relation": "tenant"},
         lambda p: Resident.objects.filter(name="李四", house__isnull=False).exists()),
        ("resident_update", lambda: w.resident(w.house()), lambda: {"name": "张叁"},
         lambda p: Resident.objects.get(pk=p.subject_id).name == "张叁"),
        ("move_in", lambda: w.resident(),
         lambda: {"house": w.house().pk, "house_relation": "family", "on": _today(1)},
         lambda p: Resident.objects.get(pk=p.subject_id).house_id is not None),
        ("move_out", lambda: w.resident(w.house()), lambda: {"on": _today()},
         lambda p: Resident.objects.get(pk=p.subject_id).status == "moved_out"),
        ("tag", lambda: w.resident(w.house()),
         lambda: {"kind": "elderly_alone", "started_on": _today(3)},
         lambda p: SpecialGroupTag.objects.filter(pk=p.result_id, kind="elderly_alone").exists()),
        ("place_add", lambda: None,
         lambda: {"kind": "small_restaurant", "name": "白沙面馆", "address": w.street().pk},
         lambda p: p.result_id is not None),
        ("place_update", _place, lambda: {"risk_level": "high"},
         lambda p: p.result_id is not None),
    ]  # fmt: skip


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c[0])
def test_each_kind_waits_then_the_township_confirms_it(client, worker, reviewer, case):
    """R11.1 (二): the proposal waits ("待审核"); the agency's confirmation applies it through
    the registry's service, audited with the confirmation, and the proposer sees it."""
    kind, make_subject, body, applied = case
    subject = make_subject()
    data = {"change": kind, "client_id": f"c-{kind}", **body()}
    if subject is not None:
        data["subject"] = subject.pk
    answer = _propose(client, worker, data)
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "pending" and answer.json()["changes"]
    proposal = Proposal.objects.get()
    assert (proposal.grid_code, proposal.proposer, proposal.accuracy_m) == (w.GRID, worker, 12)
    assert proposal.result_id is None and not applied(proposal)

    client.force_login(reviewer)
    queue = client.get(API, {"status": "pending"}).json()
    assert [p["id"] for p in queue["results"]] == [proposal.pk]
    confirmed = _post(client, f"{API}{proposal.pk}/confirm/", {})
    assert confirmed.status_code == 200, confirmed.content
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.reviewer == reviewer
    assert applied(proposal)
    codes = list(AuditRecord.objects.values_list("action", flat=True).order_by("pk"))
    assert codes[-1] == "registry.proposal.confirm"
    assert "registry.proposal.submit" in codes

    client.force_login(worker)
    mine = client.get(API, {"mine": "1"}).json()["results"]
    assert [(p["id"], p["status_label"]) for p in mine] == [(proposal.pk, "已生效")]


def test_rejection_needs_a_reason_the_proposer_sees(client, worker, reviewer):
    resident = w.resident(w.house())
    _propose(client, worker, {"change": "move_out", "subject": resident.pk, "on": _today()})
    proposal = Proposal.objects.get()
    client.force_login(reviewer)
    refused = _post(client, f"{API}{proposal.pk}/reject/", {"reason": " "})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert _post(client, f"{API}{proposal.pk}/reject/", {"reason": "该户仍在住"}).status_code == 200
    resident.refresh_from_db()
    assert resident.status == "living"  # nothing applied
    client.force_login(worker)
    mine = client.get(API, {"mine": "1"}).json()["results"][0]
    assert (mine["status"], mine["reason"]) == ("rejected", "该户仍在住")
    client.force_login(reviewer)
    again = _post(client, f"{API}{proposal.pk}/confirm/", {})
    assert again.status_code == 400  # decided already


@pytest.mark.parametrize(
    ("kind", "make", "body", "auto"),
    [
        ("thing_state", _thing, {"state": "damaged"}, True),
        ("thing_state", _thing, {"state": "damaged", "name": "新名称"}, False),
        ("resident_update", lambda: w.resident(w.house()), {"phone": "13900001111"}, True),
        ("resident_update", lambda: w.resident(w.house()),
         {"phone": "13900001111", "name": "改名"}, False),
        ("place_update", _place, {"last_inspected_on": "2026-01-05"}, True),
        ("place_update", _place, {"risk_level": "high"}, False),
    ],
)  # fmt: skip
def test_low_risk_fields_take_effect_at_once(client, worker, kind, make, body, auto):
    """R11.1 (二): the rule table confirms a thing's state, a phone correction, a place's
    inspection day or photo at once; anything more waits for the agency."""
    subject = make()
    answer = _propose(client, worker, {"change": kind, "subject": subject.pk, **body})
    assert answer.status_code == 201, answer.content
    proposal = Proposal.objects.get()
    assert (proposal.status == ProposalStatus.CONFIRMED) is auto
    assert proposal.auto is auto
    if kind == "thing_state":
        assert (Thing.objects.get(pk=subject.pk).state == "damaged") is auto


def test_a_resend_is_the_same_proposal_and_other_content_is_a_conflict(client, worker):
    """R11.1: the phone resends after a lost answer: the same proposal (200); another change
    under the same client_id is a 409 naming the stored one, nothing stored."""
    resident = w.resident(w.house())
    data = {"change": "resident_update", "subject": resident.pk, "name": "王五", "client_id": "k1"}
    first = _propose(client, worker, data)
    second = _propose(client, worker, data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    other = _propose(client, worker, {**data, "name": "赵六"})
    assert other.status_code == 409 and other.json()["proposal"] == first.json()["id"]
    assert Proposal.objects.count() == 1


def test_a_worker_of_another_grid_cannot_propose_for_this_house(client):
    """R22.1: the house of another grid is not there for the worker (404), nothing stored."""
    house = w.house()
    other = testing.make_user("grid_worker_fulltime", w.OTHER_GRID, username="p_other")
    answer = _propose(
        client,
        other,
        {
            "change": "resident_add",
            "subject": house.pk,
            "kind": "registered",
            "name": "李四",
            "id_number": w.id_number(82),
            "house_relation": "tenant",
        },
    )
    assert answer.status_code in {403, 404}
    assert not Proposal.objects.exists() and not Resident.objects.filter(name="李四").exists()


def test_the_reviewer_of_another_township_neither_sees_nor_confirms(client, worker):
    """R22.1: only the township agency of the proposal's place (and above) reviews it."""
    resident = w.resident(w.house())
    _propose(client, worker, {"change": "move_out", "subject": resident.pk, "on": _today()})
    proposal = Proposal.objects.get()
    stranger = testing.make_user("agency_admin", "440703001", username="p_stranger")
    client.force_login(stranger)
    assert client.get(API).json()["results"] == []
    assert client.get(f"{API}{proposal.pk}/").status_code == 404
    assert _post(client, f"{API}{proposal.pk}/confirm/", {}).status_code == 404
    client.force_login(worker)
    assert _post(client, f"{API}{proposal.pk}/confirm/", {}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_no_personal_number_in_clear_in_the_payload_or_the_audit(client, worker, reviewer):
    """R22.1: the stored payload holds the ciphertext and the masked form, the audit trail
    neither number in clear; the reviewer sees them masked."""
    house = w.house()
    number, phone = w.id_number(83), testing.mobile(83)
    body = {
        "change": "resident_add",
        "subject": house.pk,
        "kind": "registered",
        "name": "钱七",
        "id_number": number,
        "phone": phone,
        "house_relation": "family",
    }
    _propose(client, worker, body)
    proposal = Proposal.objects.get()
    stored = str(Proposal.objects.values_list("payload", flat=True).get())
    assert number not in stored and phone not in stored
    assert proposal.payload["id_number"]["masked"].endswith(number[-4:])
    client.force_login(reviewer)
    shown = client.get(f"{API}{proposal.pk}/").content.decode()
    assert number not in shown and phone not in shown and "138****0083" in shown
    _post(client, f"{API}{proposal.pk}/confirm/", {})
    trail = " ".join(str(r) for r in AuditRecord.objects.values_list("before", "after", "note"))
    assert number not in trail and phone not in trail
    assert Resident.objects.get(name="钱七").phone_masked == "138****0083"


def test_a_refused_change_is_refused_at_once_with_its_field(client, worker):
    """Bad input: 400 naming the field, nothing stored (the registry's own rule, tried)."""
    house = w.house()
    body = {
        "change": "resident_add",
        "subject": house.pk,
        "kind": "registered",
        "name": "孙八",
        "id_number": "440703198001010000",
        "house_relation": "family",
    }
    bad = _propose(client, worker, body)
    assert bad.status_code == 400 and "id_number" in bad.json()["errors"]
    missing = _propose(client, worker, {"change": "move_out", "subject": w.resident().pk})
    assert missing.status_code == 400 and "on" in missing.json()["errors"]
    assert not Proposal.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="registry.proposal").exists()


def test_a_newer_proposal_supersedes_a_pending_one(client, worker):
    resident = w.resident(w.house())
    _propose(client, worker, {"change": "resident_update", "subject": resident.pk, "name": "甲"})
    _propose(client, worker, {"change": "resident_update", "subject": resident.pk, "name": "乙"})
    old, new = Proposal.objects.order_by("pk")
    assert (old.status, new.status) == ("superseded", "pending")


@pytest.mark.parametrize("kind", sorted(proposal_rules.RULES))
def test_every_row_of_the_rule_table(kind):
    """R11.1 (二): a proposal giving only a row's automatic fields takes effect at once; one
    more field, or a kind without automatic fields, waits for the township agency."""
    rule = proposal_rules.RULES[kind]
    assert str(rule.why)
    if rule.auto_fields:
        for name in rule.auto_fields:
            assert proposal_rules.is_automatic(kind, {name})
        assert proposal_rules.is_automatic(kind, rule.auto_fields)
        assert not proposal_rules.is_automatic(kind, {*rule.auto_fields, "name"})
    else:
        assert not proposal_rules.is_automatic(kind, {"name", "kind", "on", "house"})
    assert not proposal_rules.is_automatic(kind, set())


def test_the_waiting_kinds_are_the_ones_that_change_who_lives_where():
    waiting = {k for k, rule in proposal_rules.RULES.items() if not rule.auto_fields}
    assert waiting == {"resident_add", "move_in", "move_out", "tag", "place_add"}


def test_a_worker_may_not_propose_a_tag_kind_hidden_from_grid_workers(client, worker):
    """R22.1: the visibility table: a severe mental disorder is not for grid workers to
    record (nor to see), so its proposal is refused, nothing stored."""
    resident = w.resident(w.house())
    body = {
        "change": "tag",
        "subject": resident.pk,
        "kind": "severe_mental_disorder",
        "started_on": _today(),
    }
    answer = _propose(client, worker, body)
    assert answer.status_code == 403
    assert not Proposal.objects.exists() and not SpecialGroupTag.objects.exists()


def test_the_reviewer_has_a_menu_entry_and_the_worker_none(client, reviewer, worker):
    client.force_login(reviewer)
    assert "/registry/proposals/" in client.get("/registry/proposals/").content.decode()
    client.force_login(worker)
    home = client.get("/m/").content.decode()
    assert 'href="/registry/proposals/"' not in home


def test_the_queue_filters_by_grid_and_kind(client, worker, reviewer):
    resident = w.resident(w.house())
    _propose(client, worker, {"change": "move_out", "subject": resident.pk, "on": _today()})
    client.force_login(reviewer)
    assert len(client.get(API, {"grid": w.GRID}).json()["results"]) == 1
    assert client.get(API, {"grid": w.OTHER_GRID}).json()["results"] == []
    assert len(client.get(API, {"kind": "move_out"}).json()["results"]) == 1
    assert client.get(API, {"kind": "tag"}).json()["results"] == []


def test_the_outbox_sends_a_place_photo_as_multipart(client, worker):
    """The phone's outbox names every photo "photos": a place photo takes effect at once."""
    import io

    from PIL import Image

    place = _place()
    image = io.BytesIO()
    Image.new("RGB", (2400, 1200), "#3050a0").save(image, "JPEG")
    image.seek(0)
    image.name = "IMG_1.jpg"
    client.force_login(worker)
    answer = client.post(
        API, {"change": "place_update", "subject": place.pk, "client_id": "ph-1", "photos": image}
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["status"] == "confirmed" and answer.json()["has_photo"]
    proposal = Proposal.objects.get()
    from PIL import Image as Reader

    with Reader.open(proposal.photo.open("rb")) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 1600
