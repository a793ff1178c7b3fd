"""The exported case file carries everything its hashes cover and is verified on its own,
without the database (R26.2): ``verify_archive --file`` and ``python -m cases.chain``."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from cases import archive, chain
from cases.models import CaseEvent
from cases.tests.test_archive import full_loop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def exported(world) -> dict[str, Any]:
    case = full_loop(world)
    client = APIClient()
    client.force_authenticate(world.dispatcher)
    response = client.get(f"/api/v1/cases/{case.pk}/export.json/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f'filename="case-{case.tracking_code}.json"' in response["Content-Disposition"]
    return json.loads(response.content)


def verify_file(path: Path) -> str:
    out = io.StringIO()
    call_command("verify_archive", "--file", str(path), stdout=out, stderr=out)
    return out.getvalue().strip()


def write(tmp_path: Path, data: Any, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_r26_2_the_canonical_form_of_existing_events_is_unchanged():
    """The bytes (and so the hashes) of events stored before the file format 2: every chain
    already stored keeps verifying. The example of docs/archive.md."""
    event = CaseEvent(
        case_id=7,
        seq=1,
        at=dt.datetime(2025, 3, 1, 1, 2, 3, 456789, tzinfo=dt.UTC),
        actor_id=5,
        actor_name="dispatcher",
        role="dispatcher",
        action="report",
        from_state="",
        to_state="reported",
        note='路灯 "坏了"',
        data={"lng": 113.1, "urgent": False, "co": [1, "二"], "none": None},
    )
    assert archive.canonical(event).decode() == (
        '{"action":"report","actor":5,"actor_name":"dispatcher",'
        '"at":"2025-03-01T01:02:03.456789Z","case":7,'
        '"data":{"co":[1,"二"],"lng":113.1,"none":null,"urgent":false},'
        '"from":"","note":"路灯 \\"坏了\\"","role":"dispatcher","seq":1,"to":"reported"}'
    )
    first = "f3cae464c166a71d7d779168fcaad8ed7571c43fb085e36b0d3a4faf4c2cda3d"
    assert archive.compute_hash(archive.GENESIS, event) == first
    doc = (Path(settings.BASE_DIR) / "docs" / "archive.md").read_text(encoding="utf-8")
    assert first in doc and archive.canonical(event).decode() in doc


def test_r26_2_the_export_carries_every_event_as_its_hash_covers_it(world):
    data = exported(world)
    assert data["format"] == chain.FORMAT
    stored = list(CaseEvent.objects.filter(case_id=data["case"]["id"]).order_by("seq"))
    for event, row in zip(data["events"], stored, strict=True):
        assert {k: event[k] for k in chain.CANONICAL_KEYS} == archive.content(row)
        assert (event["prev_hash"], event["hash"]) == (row.prev_hash, row.hash)
    check = data["events"][8]
    assert (check["actor"], check["actor_name"]) == (world.dispatcher.pk, "dispatcher")
    assert data["chain"]["seq"] == 10
    assert chain.verify_case_file(data) == []


def test_r26_2_an_untouched_export_verifies_on_its_own(world, tmp_path):
    data = exported(world)
    path = write(tmp_path, data)
    code = data["case"]["tracking_code"]
    assert (
        verify_file(path) == f"case {data['case']['id']} ({code}): 10 events, 2 attachments: intact"
    )
    # With nothing but the Python standard library: no settings, no database.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    script = Path(settings.BASE_DIR) / "cases" / "chain.py"
    result = subprocess.run(
        [sys.executable, "-I", str(script), str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("10 events, 2 attachments: intact")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value is None:
        return 1
    return f"{value}x"


def covered_fields(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every value of the file the hashes cover (see docs/archive.md)."""
    paths = [p for p in _leaves(data) if p[0] in ("events", "attachments")]
    return [*paths, ("chain", "seq"), ("chain", "head"), ("case", "id"), ("case", "state")]


def test_r26_2_editing_any_covered_field_of_the_export_is_detected(world):
    data = exported(world)
    fields = covered_fields(data)
    assert len(fields) > 150  # every event's every value, data included
    undetected = []
    for path in fields:
        edited = copy.deepcopy(data)
        target = edited
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = _changed(target[path[-1]])
        if not chain.verify_case_file(edited):
            undetected.append(path)
    assert undetected == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["events"][2].__setitem__("note", "改过"), "event 3: content does not match"),
        (lambda d: d["events"].pop(4), "event 5: missing (found event 6 next)"),
        (lambda d: d["events"].pop(), "the case records a last event the chain does not end"),
        (lambda d: d["events"][1].pop("actor"), "event 2: lacks actor"),
        (lambda d: d["attachments"].pop(), "is not in the file"),
        (
            lambda d: d["attachments"][0].__setitem__("sha256", "0" * 64),
            "is not in the event's manifest",
        ),
        (lambda d: d["case"].__setitem__("state", "closed"), "the case's state is not where"),
    ],
    ids=["altered", "middle-removed", "last-removed", "key-removed", "photo-dropped",
         "photo-swapped", "state"],
)  # fmt: skip
def test_r26_2_verify_archive_file_names_the_problem(world, tmp_path, edit, expected):
    data = exported(world)
    edit(data)
    with pytest.raises(CommandError) as broken:
        verify_file(write(tmp_path, data))
    assert str(broken.value).startswith(f"archive chain broken: case {data['case']['id']}: ")
    assert expected in str(broken.value)


def test_r26_2_verify_archive_file_refuses_what_is_not_a_case_file(tmp_path):
    not_json = tmp_path / "x.json"
    not_json.write_text("{not json", encoding="utf-8")
    for path, message in (
        (not_json, "cannot read"),
        (tmp_path / "missing.json", "cannot read"),
        (write(tmp_path, {"format": "gridgov-case-file/1"}), "not a gridgov-case-file/2 file"),
        (write(tmp_path, [1, 2]), "not a gridgov-case-file/2 file"),
    ):
        with pytest.raises(CommandError, match=message):
            verify_file(path)
    with pytest.raises(CommandError):
        call_command("verify_archive", "--file", "x.json", "--case", "1")


def test_r26_2_the_verifier_of_the_documentation_works_on_an_export(world, tmp_path):
    doc = (Path(settings.BASE_DIR) / "docs" / "archive.md").read_text(encoding="utf-8")
    snippet = doc.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(snippet, scope)  # our own documentation
    data = exported(world)
    scope["verify"](write(tmp_path, data))  # no AssertionError: intact
    data["events"][3]["note"] = "改过"
    with pytest.raises(AssertionError):
        scope["verify"](write(tmp_path, data, "edited.json"))
