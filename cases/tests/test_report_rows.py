"""A plain report's rows (R24.1, R26.2, R28.1): the case, its first archive event and its audit
record are stored together or not at all, with the archive head in the case's own row. On
PostgreSQL they are one statement (``gridgov.rows``), outside any transaction of the caller's
a transaction of its own; elsewhere one transaction of several statements."""

from __future__ import annotations

import pytest
from django.db import DataError, connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from audit.models import AuditRecord
from cases import archive, services
from cases.inputs import ReportInput
from cases.models import Case, CaseEvent
from gridgov import rows

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement needs PostgreSQL"
)


def report(world, client_id: str, **kw):
    lng, lat = world.point
    return services.intake(
        world.worker,
        ReportInput(
            lng=lng,
            lat=lat,
            matter=world.entry_code,
            description="井盖缺失",
            client_id=client_id,
            **kw,
        ),
    )


def stored_together(case: Case) -> None:
    """One case, one event that the case's head names, one audit record of the report."""
    case = Case.objects.get(pk=case.pk)
    (event,) = CaseEvent.objects.filter(case=case)
    assert (case.archive_seq, case.archive_head) == (1, event.hash)
    assert archive.verify_events(case.pk, [event], (case.archive_seq, case.archive_head)) is None
    (entry,) = AuditRecord.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert entry.action == "cases.report" and entry.after["event"] == 1


def test_a_plain_report_is_stored_whole_with_its_head(world):
    """R24.1, R26.2: the case names its first event as the head of its chain, verifiable."""
    stored_together(report(world, "rows-1").case)


@on_postgres
def test_a_plain_report_is_one_statement_on_postgresql(world):
    """R24.1: a plain report writes its three rows with one statement after reserving the
    case's id (the first event's hash covers it); no separate archive-head update."""
    report(world, "rows-warm")  # the calendar and gate caches are warm from here
    with CaptureQueriesContext(connection) as captured:
        case = report(world, "rows-2").case
    writes = [q["sql"] for q in captured if not q["sql"].startswith(("SELECT", "SAVEPOINT"))]
    writes = [w for w in writes if not w.startswith(("RELEASE", 'INSERT INTO "django_tasks'))]
    assert len(writes) == 1 and writes[0].startswith("WITH r0 AS (INSERT INTO")
    assert not any(q["sql"].startswith('UPDATE "cases_case"') for q in captured)
    stored_together(case)


@on_postgres
def test_a_plain_report_is_all_or_nothing_without_a_transaction(live_world, monkeypatch):
    """R26.2, R28.1: outside any transaction (as in a request) the one statement is the
    transaction: when the audit record cannot be stored, neither are the case and its event,
    and the error reaches the caller."""
    assert not connection.in_atomic_block
    new_record = audit.new_record

    def too_long(*args, **kwargs):
        entry = new_record(*args, **kwargs)
        entry.object_type = "x" * 65  # varchar(64): refused by the database, not by Python
        return entry

    monkeypatch.setattr(audit, "new_record", too_long)
    before = (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count())
    with pytest.raises(DataError):
        report(live_world, "rows-3")
    after = (Case.objects.count(), CaseEvent.objects.count(), AuditRecord.objects.count())
    assert after == before
    monkeypatch.setattr(audit, "new_record", new_record)
    stored_together(report(live_world, "rows-3").case)  # the phone's resend succeeds


@on_postgres
def test_a_resend_without_a_transaction_gets_the_stored_case(live_world):
    """R24.1: the failed insert of a resend leaves the connection usable for the answer."""
    first = report(live_world, "rows-4")
    again = report(live_world, "rows-4")
    assert (again.created, again.case.pk) == (False, first.case.pk)
    assert Case.objects.filter(idempotency_key__endswith=":rows-4").count() == 1


def test_rows_with_receivers_are_saved_one_by_one(world):
    """A receiver of post_save on a model is never skipped: such rows take save()."""
    seen: list[int] = []

    def receiver(sender, instance, created, **kwargs):
        seen.append(instance.pk)

    post_save.connect(receiver, sender=AuditRecord, dispatch_uid="test_rows_receiver")
    try:
        assert not rows.combinable(Case, CaseEvent, AuditRecord)
        case = report(world, "rows-5").case
    finally:
        post_save.disconnect(dispatch_uid="test_rows_receiver", sender=AuditRecord)
    assert len(seen) == 1
    stored_together(case)


def test_rows_are_combined_only_on_postgresql(db):
    assert rows.combinable(AuditRecord) == (connection.vendor == "postgresql")


@on_postgres
def test_r22_1_a_report_with_involved_persons_is_still_one_statement(world):
    """R22.1, R24.1: the involved persons' rows join the report's one statement; they are the
    rows the ORM would write (numbers encrypted, masked) and the archive names them masked."""
    persons = [{"name": "张三", "phone": "13800138000"}, {"name": "李四", "role": "witness"}]
    report(world, "rows-warm-2")
    with CaptureQueriesContext(connection) as captured:
        case = report(world, "rows-6", involved=persons).case
    writes = [q["sql"] for q in captured if not q["sql"].startswith(("SELECT", "SAVEPOINT"))]
    writes = [w for w in writes if not w.startswith(("RELEASE", 'INSERT INTO "django_tasks'))]
    assert len(writes) == 1 and writes[0].count("INSERT INTO") == 5
    stored_together(case)
    stored = list(case.involved_persons.order_by("position"))
    assert [(p.name, p.role, p.phone_masked, p.position) for p in stored] == [
        ("张三", "party", "138****8000", 0),
        ("李四", "witness", "", 1),
    ]
    assert "13800138000" not in stored[0].phone_encrypted
    assert case.events.get().data["involved"][0]["phone"] == "138****8000"
