"""R28.1: the audit actions are declared once per app, with a Chinese and an English label; the
audit screens show the label (the code beside it), the exports and the API the code; a code no
app declared is refused when the record is written."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit import actions
from audit import services as audit
from audit.actions import UnregisteredAction
from audit.models import AuditRecord
from cases import machine
from cases.actions import CaseAction
from gridgov import pofiles
from gridgov.access import roles as R
from gridgov.testing import world  # noqa: F401  (registers the test world's action too)
from gridgov.testing.people import make_user

BASE_DIR = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u4e00-\u9fff]")
RETIRED = "cases.retired_step"  # a code no app declares (kept out of the scan below)
WRITERS = {"record", "new_record", "audited_update"}
SKIPPED_DIRS = {".venv", "node_modules", "var", "migrations", "docs"}


def _project_modules() -> list[Path]:
    return [
        path
        for path in sorted(BASE_DIR.glob("*/**/*.py"))
        if not SKIPPED_DIRS & set(path.relative_to(BASE_DIR).parts)
    ]


def _audit_writes(tree: ast.AST) -> list[ast.Call]:
    """Calls of ``audit.record``/``new_record``/``audited_update`` (also imported by name)."""
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITERS:
            if isinstance(func.value, ast.Name) and func.value.id in {"audit", "services"}:
                calls.append(node)
        elif isinstance(func, ast.Name) and func.id in WRITERS:
            calls.append(node)
    return calls


def test_r28_1_every_action_has_a_chinese_and_an_english_label():
    """Every registered code has a Chinese label with its English translation in the catalogue
    (the label's own message, context "audit action"), and English reads differently."""
    catalogue = {
        entry.key(): entry for entry in pofiles.read(pofiles.po_path("en")) if not entry.obsolete
    }
    registered = actions.registered()
    assert len(registered) > 90
    problems = []
    for code in registered:
        with translation.override("zh-hans"):
            chinese = actions.label(code)
        with translation.override("en"):
            english = actions.label(code)
        entry = catalogue.get(("audit action", chinese))
        if not CJK.search(chinese):
            problems.append(f"{code}: Chinese label {chinese!r} is not Chinese")
        elif entry is None or not entry.translated or "fuzzy" in entry.flags:
            problems.append(f"{code}: no English for {chinese!r} in locale/en")
        elif english == chinese or CJK.search(english):
            problems.append(f"{code}: English label {english!r} is not English")
    assert not problems, "\n".join(problems)


def test_r28_1_every_case_step_has_an_action():
    """The steps of :mod:`cases.machine` and the system's steps each write a declared code."""
    for step in [*machine.ACTIONS, "report", "regrid", "deadline_change"]:
        assert CaseAction.of_step(step) == f"cases.{step}"
    with pytest.raises(ValueError):
        CaseAction.of_step("no_such_step")


def test_r28_1_no_audit_write_passes_a_free_string():
    """The project's code passes an app's enum member (or a variable holding one), never a
    string literal or an f-string, to the audit writers; the writers refuse anything else at
    run time (next test)."""
    found = []
    for path in _project_modules():
        if "tests" in path.relative_to(BASE_DIR).parts:
            continue
        for call in _audit_writes(ast.parse(path.read_text(encoding="utf-8"))):
            args = [*call.args[1:2], *(k.value for k in call.keywords if k.arg == "action")]
            for arg in args:
                if isinstance(arg, ast.JoinedStr) or (
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ):
                    found.append(f"{path.relative_to(BASE_DIR)}:{call.lineno}")
    assert not found, "audit action as a string (use the app's actions.py enum): " + ", ".join(
        found
    )


def test_r28_1_the_codes_the_tests_look_for_are_declared():
    """A test that looks for a record by a code (``action="..."``) looks for a declared one: a
    renamed action cannot leave a test waiting for a code nobody writes any more."""
    registered = actions.registered()
    unknown = set()
    for path in _project_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "action"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and "." in value.value
                    and value.value not in registered
                ):
                    unknown.add(f"{path.relative_to(BASE_DIR)}:{node.lineno} {value.value}")
    assert not unknown, "\n".join(sorted(unknown))


@pytest.mark.django_db
def test_r28_1_an_undeclared_action_is_refused():
    """A code no app registered is a programming mistake: refused, nothing stored."""
    before = AuditRecord.objects.count()
    refused = pytest.raises(UnregisteredAction, match=r"'cases\.chek' is not registered")
    with refused, transaction.atomic():
        audit.record("test", "cases.chek", object_type="cases.case")
    with pytest.raises(UnregisteredAction):
        audit.new_record("test", "people.no_such_action")
    assert AuditRecord.objects.count() == before
    with transaction.atomic():
        stored = audit.record("test", CaseAction.CHECK, object_type="cases.case")
    stored.refresh_from_db()
    assert stored.action == "cases.check" and type(stored.action) is str


def _check_record(note: str = "") -> AuditRecord:
    with transaction.atomic():
        return audit.record(
            "test",
            CaseAction.CHECK,
            object_type="cases.case",
            object_id="1",
            object_repr="GD-CHECK-0001",
            region_code="440703002",
            note=note,
        )


@pytest.mark.django_db
def test_r28_1_the_audit_list_shows_labels_instead_of_codes(client):
    """The list and the detail page read 核查结案 (Check and close in English), with the code
    beside it; a code no app declares any more is shown as it is."""
    record = _check_record()
    with transaction.atomic():
        # a record older than its action's declaration: stored as it was, bypassing the check
        old = AuditRecord(
            actor_name="test",
            action=RETIRED,
            object_type="cases.case",
            object_repr="GD-OLD-0001",
            region_code="440703002",
        )
        old.save(force_insert=True)
    client.force_login(make_user(R.Role.AUDITOR, "440703", username="auditor"))

    page = client.get("/audit/").content.decode()
    assert '<span title="cases.check">核查结案</span>' in page
    assert ">cases.check<" not in page
    assert '<span title="cases.retired_step">cases.retired_step</span>' in page
    english = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span title="cases.check">Check and close</span>' in english

    detail = client.get(f"/audit/{record.pk}/").content.decode()
    assert "<h1>核查结案</h1>" in detail and "<code>cases.check</code>" in detail
    assert (
        "<h1>Check and close</h1>"
        in client.get(f"/audit/{record.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.django_db
def test_r28_1_exports_and_the_api_keep_the_codes(client):
    _check_record()
    client.force_login(make_user(R.Role.AUDITOR, "440703", username="auditor"))
    export = client.get("/audit/export/", {"format": "csv", "action": "cases."})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert ",cases.check," in text and "核查结案" not in text
    (row,) = client.get("/api/v1/audit/", {"action": "cases."}).json()["results"]
    assert row["action"] == "cases.check"
    # the export itself is on the trail under its own declared code
    assert AuditRecord.objects.filter(action="audit.export.audit-trail").count() == 1


@pytest.mark.django_db
def test_r28_1_labels_cost_no_query(client):
    """The label is a lookup in memory: the list costs as many queries for many actions as for
    one."""
    client.force_login(make_user(R.Role.AUDITOR, "440703", username="auditor"))
    _check_record()
    client.get("/audit/")  # warm the session and the menu's caches
    with CaptureQueriesContext(connection) as one:
        client.get("/audit/")
    for step in ("verify", "dispatch", "sign", "feedback"):
        with transaction.atomic():
            audit.record("test", CaseAction.of_step(step), region_code="440703002")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/audit/").content.decode()
    assert "派遣" in page and "签收" in page
    assert len(many) == len(one)
