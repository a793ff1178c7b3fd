"""Deadlines counted into a year without the State Council's notice (R24.2): computed from the
statutory holidays and flagged on the case, the assignment, the API and every page that shows
them ("按暂定日历计算").

The test calendar (conftest) seeds last year and this year from the packages and opens next
year provisionally, as the demo does; the dates below are built from that next year.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import deadline_basis, services
from cases.models import Assignment, Case
from cases.tests.test_deadlines import clock, dispatched, lead, report, working_morning
from workdays import services as calendar

pytestmark = pytest.mark.django_db

MARK = "按暂定日历计算"


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def next_year(world) -> int:
    year = timezone.localdate().year + 1
    assert calendar.provisional_years() == [year], "the test calendar opens next year"
    return year


def last_working_morning(year: int) -> dt.datetime:
    """09:00 on the last working day of ``year``'s predecessor (a covered, confirmed year)."""
    day = dt.date(year - 1, 12, 31)
    while not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    return local(day.year, day.month, day.day, 9)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_r24_2_handling_deadline_into_a_provisional_year_is_flagged(world, next_year):
    """3 working days from the last working day of the year: 元旦 is not counted (a
    Monday–Friday year would count it), and the deadline says it is provisional."""
    start = last_working_morning(next_year)
    case = dispatched(world, start)
    assignment = lead(case)
    expected_day = calendar.add_workdays(start.date(), 3)
    assert dt.date(next_year, 1, 1) < expected_day
    assert assignment.due_at == local(next_year, expected_day.month, expected_day.day, 17, 30)
    assert assignment.due_provisional and case.due_provisional
    assert assignment.deadline_basis == deadline_basis.new(start, 3, "workdays")
    assert deadline_basis.replay(assignment.deadline_basis) == (start, assignment.due_at)

    body = client_for(world.dispatcher).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["due_provisional"] is True and body["dispatch_due_provisional"] is False
    assert {a["due_provisional"] for a in body["assignments"]} == {True}


def test_r24_2_a_deadline_inside_confirmed_years_is_not_flagged(world):
    t0 = working_morning(timezone.localdate())
    case = dispatched(world, t0)
    assert case.due_at.year == t0.year
    assert not case.due_provisional and not lead(case).due_provisional


def test_r24_2_dispatch_deadline_into_a_provisional_year_is_flagged(world, next_year):
    """2 working hours from 16:00 on the year's last working day end on the next working day
    of the provisional year."""
    start = last_working_morning(next_year) + dt.timedelta(hours=7)  # 16:00
    case = report(world, start)
    first = calendar.add_workdays(start.date(), 1)
    assert case.dispatch_due_at == local(next_year, first.month, first.day, 9, 0)
    assert case.dispatch_due_provisional
    resident_case = report(world, start, world.resident)
    with clock(start):
        resident_case = services.verify(world.worker, resident_case.pk)
    assert resident_case.dispatch_due_provisional


def test_r24_2_extension_and_suspension_keep_the_flag_and_the_basis(world, next_year):
    start = last_working_morning(next_year) - dt.timedelta(days=7)
    case = dispatched(world, start)
    assert not case.due_provisional  # three working days stay in the old year
    with clock(start + dt.timedelta(hours=1)):
        extension = services.request_extension(
            world.police_handler, case.pk, amount=5, unit="workdays", reason="需要采购材料"
        )
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=True)
    assignment = lead(case)
    assert assignment.due_at.year == next_year
    assert assignment.due_provisional and Case.objects.get(pk=case.pk).due_provisional
    assert assignment.deadline_basis["steps"] == [["extend", 5, "workdays"]]
    assert deadline_basis.replay(assignment.deadline_basis)[1] == assignment.due_at

    suspended_at = start + dt.timedelta(hours=2)
    resumed_at = suspended_at + dt.timedelta(days=1)
    with clock(suspended_at):
        suspension = services.request_suspension(world.police_handler, case.pk, reason="等待")
        services.decide_suspension(world.dispatcher, case.pk, suspension=suspension, approve=True)
    with clock(resumed_at):
        services.resume(world.dispatcher, case.pk)
    assignment = lead(case)
    assert assignment.deadline_basis["steps"][-1][0] == "pause"
    assert deadline_basis.replay(assignment.deadline_basis) == (
        assignment.clock_started_at,
        assignment.due_at,
    )
    assert assignment.due_provisional


def test_r24_2_pages_mark_a_provisional_deadline(world, next_year):
    """The case page, the console list and the department inbox show the mark, with a title
    that says why."""
    case = dispatched(world, last_working_morning(next_year))
    title = "尚未录入国务院节假日安排通知"
    page = client_for(world.dispatcher).get(reverse("cases:case", args=[case.pk]))
    text = page.content.decode()
    assert text.count(MARK) >= 2  # the head badge and the assignment
    assert title in text
    console = client_for(world.dispatcher).get(reverse("cases:console"), {"queue": "open"})
    assert MARK in console.content.decode()
    inbox = client_for(world.police_handler).get(reverse("cases:inbox"), {"tab": "progress"})
    assert MARK in inbox.content.decode() and title in inbox.content.decode()

    plain = dispatched(world, last_working_morning(next_year) - dt.timedelta(days=7))
    page = client_for(world.dispatcher).get(reverse("cases:case", args=[plain.pk]))
    assert MARK not in page.content.decode()


def test_r24_2_migration_flags_open_deadlines_in_provisional_years(world, next_year):
    case = dispatched(world, last_working_morning(next_year))
    Case.objects.filter(pk=case.pk).update(due_provisional=False)
    Assignment.objects.filter(case=case).update(due_provisional=False)
    migration = importlib.import_module("cases.migrations.0008_provisional_deadlines")
    migration.flag_provisional_deadlines(apps, None)
    assert Case.objects.get(pk=case.pk).due_provisional
    assert all(a.due_provisional for a in Assignment.objects.filter(case=case))
