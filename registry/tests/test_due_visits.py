"""R11.1 (二): who is due or overdue for a visit, per grid and per worker, computed in the
database (the tag's due day), and the visit hook the field-work app calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.testing import people as testing
from registry import due, inputs, services
from registry.models import SpecialGroupTag
from registry.tests import world as w

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _tag(who, kind, started_days_ago, visit_days):
    return w.tag(
        who, kind, started_on=TODAY - dt.timedelta(days=started_days_ago), visit_days=visit_days
    )


def test_the_due_day_is_the_last_visit_or_the_start_plus_the_frequency():
    resident = w.resident(w.house())
    tag = _tag(resident, "elderly_alone", 10, 7)
    assert tag.next_visit_on == TODAY - dt.timedelta(days=3)
    services.record_visit(tag, TODAY - dt.timedelta(days=1), None)
    tag.refresh_from_db()
    assert tag.last_visited_on == TODAY - dt.timedelta(days=1)
    assert tag.next_visit_on == TODAY + dt.timedelta(days=6)
    assert AuditRecord.objects.filter(action="registry.tag.visit").count() == 1


def test_a_resent_or_older_visit_changes_nothing_and_a_future_one_is_refused():
    tag = _tag(w.resident(w.house()), "elderly_alone", 10, 7)
    services.record_visit(tag, TODAY, None)
    services.record_visit(tag, TODAY, None)
    services.record_visit(tag, TODAY - dt.timedelta(days=2), None)
    assert AuditRecord.objects.filter(action="registry.tag.visit").count() == 1
    with pytest.raises(DomainError):
        services.record_visit(tag, TODAY + dt.timedelta(days=1), None)


def test_due_and_overdue_lists_per_grid_and_per_worker():
    here = w.resident(w.house())
    there = w.resident(w.house(w.room(w.street(number="9号", grid=w.OTHER_GRID))), name="李四")
    overdue = _tag(here, "elderly_alone", 40, 30)  # due 10 days ago
    soon = _tag(here, "disabled", 25, 30)  # due in 5 days
    later = _tag(there, "elderly_alone", 1, 30)  # due in 29 days
    ended = _tag(there, "disabled", 60, 30)
    services.end_tag(w.ACTOR, ended, inputs.EndTag(ended_on=TODAY, reason="已脱困"))
    tags = SpecialGroupTag.objects.all()
    assert list(due.due(tags)) == [overdue]
    assert list(due.due(tags, within=7)) == [overdue, soon]
    assert list(due.due(tags, within=30)) == [overdue, soon, later]
    assert list(due.due(tags, within=30, overdue_only=True)) == [overdue]
    assert list(due.due(due.in_grid(tags, w.OTHER_GRID), within=30)) == [later]
    rows = list(due.counts_by_grid(tags, within=7))
    assert rows == [{"grid_code": w.GRID, "overdue": 1, "due": 1}]
    worker = testing.make_worker("fulltime", grid_code=w.OTHER_GRID)
    assert list(due.due(due.of_worker(tags, worker), within=30)) == [later]


def test_moved_out_residents_are_not_due():
    resident = w.resident(w.house())
    _tag(resident, "elderly_alone", 40, 30)
    services.move_out(w.ACTOR, resident, inputs.StatusChange(on=TODAY))
    assert not due.due(SpecialGroupTag.objects.all()).exists()


def test_the_due_visit_api_is_scoped_by_the_visibility_table(client):
    resident = w.resident(w.house())
    _tag(resident, "drug_related", 40, 30)
    _tag(resident, "severe_mental_disorder", 40, 30)
    worker = testing.make_user("grid_worker_fulltime", w.GRID, username="due_worker")
    client.force_login(worker)
    answer = client.get("/api/v1/registry/due-visits/")
    assert answer.status_code == 200
    assert [t["kind"] for t in answer.json()["results"]] == ["drug_related"]
    by_grid = client.get("/api/v1/registry/due-visits/by-grid/").json()["results"]
    assert by_grid == [{"grid_code": w.GRID, "overdue": 1, "due": 0}]
    assert client.get("/api/v1/registry/due-visits/?within=x").status_code == 400
