"""``gridgov.rows``: rows written in one statement are stored exactly as ``save()`` stores them
(R26.2, R28.1: the archive and the audit trail must not depend on which path wrote them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditRecord
from cases.models import State
from gridgov import rows

pytestmark = pytest.mark.django_db

NOW = timezone.now()
FIELDS = [f.attname for f in AuditRecord._meta.concrete_fields if f is not AuditRecord._meta.pk]


def record(**kw) -> AuditRecord:
    values = {
        "at": NOW,
        "actor_name": "张三",
        "role": "dispatcher",
        "action": State.VERIFIED,  # a str enum: stored as its value
        "object_type": "cases.case",
        "object_id": "42",
        "object_repr": "ABCDEF2345 已核实",
        "region_code": "440703002",
        "before": None,
        "after": {"state": "verified", "n": 1, "at": "2026-11-25T12:00:00Z", "list": [1, "二"]},
        "note": "多行\n说明 'quoted' %s %(x)s",
        "request_id": "r-1",
        "client_ip": "10.0.0.1",
        "channel": "api",
    }
    return AuditRecord(**(values | kw))


def stored(pk: int) -> dict:
    return AuditRecord.objects.filter(pk=pk).values(*FIELDS).get()


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"before": {"a": None}, "after": None, "client_ip": None},
        {"at": dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC), "note": ""},
        {"after": [], "object_repr": "x" * 200},
    ],
)
def test_rows_written_together_are_stored_as_save_stores_them(changes):
    """R28.1: a record written together equals the record save() writes."""
    by_save = record(**changes)
    by_save.save(force_insert=True)
    together = [record(**changes), record(**changes)]
    as_stored = rows.insert_together(*together)
    assert [r.pk for r in as_stored] == [r.pk for r in together]
    assert all(r.pk and not r._state.adding and r._state.db == "default" for r in as_stored)
    assert stored(together[0].pk) == stored(by_save.pk) == stored(together[1].pk)
    assert [r.note for r in as_stored] == [r.note for r in together]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement needs PostgreSQL")
def test_rows_are_one_statement_and_ids_come_back_in_order():
    """R28.1: audit records written together are one statement, each with its own id."""
    first, second, third = record(note="1"), record(note="2"), record(note="3")
    with CaptureQueriesContext(connection) as captured:
        rows.insert_together(first, second, third)
    assert len(captured) == 1
    assert first.pk < second.pk < third.pk
    assert [AuditRecord.objects.get(pk=r.pk).note for r in (first, second, third)] == list("123")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences are PostgreSQL's")
def test_a_reserved_id_is_used_by_the_row_that_takes_it():
    """R26.2: an id reserved before the insert (the archive hash covers it) is the row's id."""
    pk = rows.reserve_id(AuditRecord)
    entry = record()
    entry.pk = pk
    rows.insert_together(entry)
    assert entry.pk == pk and stored(pk)["note"] == entry.note
    assert rows.reserve_id(AuditRecord) > pk


def test_a_related_object_saved_after_it_was_assigned_gives_its_id():
    """R28.1: as with save(), an actor assigned before it was saved is the record's actor."""
    actor = get_user_model()(username="rows-actor")
    entry = record(actor=actor)
    actor.save()
    rows.insert_together(entry)
    assert AuditRecord.objects.get(pk=entry.pk).actor_id == actor.pk


def test_a_row_pointing_at_an_unsaved_object_is_refused():
    """R28.1: as save() does, a row whose related object has no id yet is refused, unwritten."""
    entry = record(actor=get_user_model()(username="rows-unsaved"))
    with pytest.raises(ValueError, match="unsaved related object 'actor'"):
        rows.insert_together(entry)
    assert not AuditRecord.objects.filter(note=entry.note).exists()
