"""R28.1: the one audited update (``audit.services.audited_update``) saves what changed and
records its before and after in the same transaction; a change that changes nothing leaves
no trace."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import services as audit
from audit.models import AuditRecord
from gridgov.testing.people import make_agency
from people.models import GridAgency


@pytest.mark.django_db
def test_saves_the_changed_fields_and_records_the_named_snapshot():
    """R28.1: before/after carry the fields the caller names; only changed columns are written."""
    agency = make_agency("440703002")
    stamped = agency.updated_at
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        changed = audit.audited_update(
            "test",
            "people.agency.update",
            agency,
            {"name": "新名称", "address": agency.address},
            fields=["name", "address", "is_active"],
            region_code="440703002",
            note="why",
        )
    assert changed is True
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "address" not in updates[0] and "updated_at" in updates[0]
    fresh = GridAgency.objects.get(pk=agency.pk)
    assert fresh.name == "新名称" and fresh.updated_at > stamped
    record = AuditRecord.objects.get(action="people.agency.update")
    assert set(record.before) == {"name", "address", "is_active"}
    assert record.before["name"] != "新名称" and record.after["name"] == "新名称"
    assert record.after["address"] == record.before["address"]
    assert (record.region_code, record.note, record.actor_name) == ("440703002", "why", "test")


@pytest.mark.django_db
def test_without_fields_the_snapshot_is_the_changed_fields():
    agency = make_agency("440703002")
    with transaction.atomic():
        audit.audited_update("test", "people.agency.update", agency, {"is_active": False})
    record = AuditRecord.objects.get(action="people.agency.update")
    assert (record.before, record.after) == ({"is_active": True}, {"is_active": False})


@pytest.mark.django_db
def test_a_change_to_the_same_values_saves_and_records_nothing():
    """R28.1: no change, no record (and no write)."""
    agency = make_agency("440703002")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        changed = audit.audited_update(
            "test", "people.agency.update", agency, {"name": agency.name}, fields=["name"]
        )
    assert changed is False
    assert not queries.captured_queries
    assert not AuditRecord.objects.filter(action="people.agency.update").exists()
