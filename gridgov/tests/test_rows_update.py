"""``gridgov.rows.update_many``: many rows, each with its own values, saved as ``bulk_update``
saves them (R24.2: a holiday notice moves tens of thousands of open deadlines at once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov import rows
from workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def test_r24_2_update_many_saves_each_rows_own_values():
    days = CalendarDay.objects.bulk_create(
        CalendarDay(
            date=dt.date(2027, 1, 1) + dt.timedelta(days=i),
            is_workday=True,
            kind="workday",
            source="statutory",
        )
        for i in range(5)
    )
    untouched = CalendarDay.objects.create(
        date=dt.date(2027, 2, 1), is_workday=True, kind="workday", source="statutory"
    )
    now = timezone.now()
    for i, day in enumerate(days):
        day.is_workday, day.kind = i % 2 == 1, "workday" if i % 2 else "holiday"
        day.name = f"节 'x' %s {i}" if i else ""
        day.edited_at = now if i % 2 else None
    with CaptureQueriesContext(connection) as queries:
        rows.update_many(CalendarDay, days, ["is_workday", "kind", "name", "edited_at"])
    if connection.vendor == "postgresql":
        assert len(queries) == 1
    for i, day in enumerate(CalendarDay.objects.filter(pk__in=[d.pk for d in days])):
        assert (day.is_workday, day.kind) == (i % 2 == 1, "workday" if i % 2 else "holiday")
        assert day.name == (f"节 'x' %s {i}" if i else "")
        assert day.edited_at == (now if i % 2 else None)
    assert CalendarDay.objects.get(pk=untouched.pk).kind == "workday"
    rows.update_many(CalendarDay, [], ["name"])  # nothing to do


def test_r24_2_update_many_writes_json():
    years = [CalendarYear.objects.create(year=y, sources=["statutory"]) for y in (2027, 2028)]
    years[0].sources = ["notice", {"nested": ["二", 1]}]
    years[1].discrepancies = [{"date": "2028-01-01", "kept": "holidays"}]
    rows.update_many(CalendarYear, years, ["sources", "discrepancies"])
    stored = {y.year: y for y in CalendarYear.objects.all()}
    assert stored[2027].sources == ["notice", {"nested": ["二", 1]}]
    assert stored[2028].discrepancies == [{"date": "2028-01-01", "kept": "holidays"}]
    assert stored[2028].sources == ["statutory"]
