"""Entering the State Council's notice recomputes the open deadlines it moves (R24.2, R24.3):
each moved deadline audited and recorded in its case's archive as a deadline change, the
provisional flags cleared, the deadline checks planned again (R27.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from cases import archive, recompute, services
from cases import clock as deadline_clock
from cases.models import Assignment, Case, DeadlineStatus, State
from cases.tests.test_deadlines import clock, dispatched, lead, report
from workdays import notices
from workdays import services as calendar
from workdays.tests.test_notices import NOTICE_2027

pytestmark = pytest.mark.django_db


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=timezone.get_default_timezone())


@pytest.fixture(autouse=True)
def _next_year_is_2027(world):
    """The notice below is 2027's: the test calendar must have 2027 provisional (today is in
    2026, as the issue describes)."""
    if calendar.provisional_years() != [2027]:
        pytest.skip("these tests describe 2027 as next year")


def enter_notice(actor="test") -> notices.NoticeResult:
    return notices.enter_notice(actor, notices.parse(NOTICE_2027))


def test_r24_2_notice_moves_the_open_handling_deadlines_it_touches(world):
    """Dispatched Wednesday 2027-02-03 with 3 working days: provisionally 02-04, 02-11, 02-12
    (the law's 春节 and its 补假 days off); the notice's break runs to 02-11 and makes Sunday
    02-14 a working day: 02-04, 02-12, 02-14."""
    start = local(2027, 2, 3, 9)
    case = dispatched(world, start, co=(world.urban,))
    assert lead(case).due_at == local(2027, 2, 12, 17, 30)
    assert case.due_provisional
    untouched = dispatched(world, local(2026, 12, 7, 9))
    events_before = untouched.events.count()

    result = enter_notice()
    assert result.deadlines_moved == 2  # the lead's and the co-department's

    case = Case.objects.get(pk=case.pk)
    new_due = local(2027, 2, 14, 17, 30)
    assert (case.due_at, case.due_provisional) == (new_due, False)
    for assignment in Assignment.objects.filter(case=case):
        assert (assignment.due_at, assignment.due_provisional) == (new_due, False)
        assert assignment.original_due_at == new_due
    event = case.events.get(action=recompute.ACTION)
    assert event.data["reason"] == "notice"
    assert event.data["first"] == "2027-01-01" and event.data["last"] == "2027-12-31"
    moved = {(d["deadline"], d["department"]): d for d in event.data["deadlines"]}
    assert moved[("handling", world.police.pk)]["before"] == local(2027, 2, 12, 17, 30).isoformat()
    assert moved[("handling", world.police.pk)]["after"] == new_due.isoformat()
    assert (event.from_state, event.to_state) == (State.IN_PROGRESS, State.IN_PROGRESS)
    assert list(archive.verify([case.pk])) == []  # the chain stays intact
    audit = AuditRecord.objects.get(action="cases.deadline_change", object_id=str(case.pk))
    assert audit.after["event"] == event.seq and len(audit.after["deadlines"]) == 2
    assert untouched.events.count() == events_before
    assert not AuditRecord.objects.filter(
        action="cases.deadline_change", object_id=str(untouched.pk)
    ).exists()


def test_r24_2_notice_moves_dispatch_deadlines_and_plans_the_checks(world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    verified_at = local(2027, 2, 4, 16)
    case = report(world, verified_at)  # a grid worker's report: verified at once
    assert case.dispatch_due_at == local(2027, 2, 11, 9)  # 1.5 h on 02-04, 0.5 h on 02-11
    entered_at = local(2027, 2, 4, 16, 30)
    with clock(entered_at):
        assert enter_notice().deadlines_moved == 1
    case = Case.objects.get(pk=case.pk)
    assert case.dispatch_due_at == local(2027, 2, 12, 9)
    assert not case.dispatch_due_provisional
    # The case's next check is due at once; the check recolours it and plans the next one.
    from django_tasks_db.models import DBTaskResult

    from cases import tasks

    assert case.next_check_at == entered_at
    assert DBTaskResult.objects.filter(
        task_path=tasks.check_due_cases.module_path, run_after=tasks.minute_of(entered_at)
    ).exists()
    deadline_clock.check_due_cases(now=entered_at)
    case = Case.objects.get(pk=case.pk)
    amber = calendar.add_working_fraction(verified_at, case.dispatch_due_at, 0.8)
    assert case.next_check_at == amber
    assert case.deadline_status == DeadlineStatus.NORMAL


def test_r24_2_recompute_replays_extensions_and_suspensions(world):
    start = local(2027, 1, 27, 9)
    case = dispatched(world, start)
    with clock(start + dt.timedelta(hours=1)):
        extension = services.request_extension(
            world.police_handler, case.pk, amount=4, unit="workdays", reason="需要采购材料"
        )
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=True)
    suspended_at, resumed_at = local(2027, 1, 28, 10), local(2027, 1, 29, 10)
    with clock(suspended_at):
        suspension = services.request_suspension(world.police_handler, case.pk, reason="等待")
        services.decide_suspension(world.dispatcher, case.pk, suspension=suspension, approve=True)
    with clock(resumed_at):
        services.resume(world.dispatcher, case.pk)
    provisional_due = lead(case).due_at
    assert provisional_due.date() > dt.date(2027, 2, 4)  # the extension runs into 春节

    enter_notice()
    # What the services would have computed had the notice been in from the start.
    due = calendar.deadline(calendar.deadline(start, 3, "workdays"), 4, "workdays")
    paused = calendar.working_seconds_between(suspended_at, resumed_at) / 3600
    due = calendar.deadline(due, paused, "workhours")
    clock_start = calendar.deadline(start, paused, "workhours")
    assignment = lead(case)
    assert (assignment.due_at, assignment.clock_started_at) == (due, clock_start)
    assert due != provisional_due
    assert assignment.original_due_at == calendar.deadline(start, 3, "workdays")
    assert Case.objects.get(pk=case.pk).due_at == due


def test_r24_2_assignment_without_a_stored_basis_is_recomputed_too(world):
    """Assignments stored before bases were kept are reconstructed from their clock start."""
    case = dispatched(world, local(2027, 2, 3, 9))
    Assignment.objects.filter(case=case).update(deadline_basis={})
    assert enter_notice().deadlines_moved == 1
    assignment = lead(case)
    assert assignment.due_at == local(2027, 2, 14, 17, 30)
    start = dt.datetime.fromisoformat(assignment.deadline_basis["start"])
    assert start == local(2027, 2, 3, 9)


def test_r24_2_suspended_and_closed_cases(world):
    suspended = dispatched(world, local(2027, 2, 3, 9))
    with clock(local(2027, 2, 3, 10)):
        request = services.request_suspension(world.police_handler, suspended.pk, reason="等待")
        services.decide_suspension(world.dispatcher, suspended.pk, suspension=request, approve=True)
    closed = dispatched(world, local(2027, 2, 3, 9))
    with clock(local(2027, 2, 3, 11)):
        services.feedback(world.police_handler, closed.pk, note="已处理")
        services.check(world.dispatcher, closed.pk, passed=True)
    closed_due = Case.objects.get(pk=closed.pk).due_at
    planned = Case.objects.get(pk=suspended.pk).next_check_at
    assert enter_notice().deadlines_moved == 1
    suspended = Case.objects.get(pk=suspended.pk)
    assert suspended.due_at == local(2027, 2, 14, 17, 30)
    assert suspended.next_check_at == planned  # checked again once resumed
    assert Case.objects.get(pk=closed.pk).due_at == closed_due  # history is not rewritten


def test_r24_2_an_administrators_day_edit_moves_deadlines_too(world, django_user_model):
    """The same mechanism for one corrected day (a typhoon day off)."""
    admin = django_user_model.objects.create_superuser("calendar-root", password="pw-12345678")
    case = dispatched(world, local(2026, 12, 7, 9))  # due Thursday 2026-12-10
    assert lead(case).due_at == local(2026, 12, 10, 17, 30)
    calendar.set_day(admin, dt.date(2026, 12, 9), False, "台风停工")
    assert lead(case).due_at == local(2026, 12, 11, 17, 30)
    event = case.events.get(action=recompute.ACTION)
    assert (event.data["reason"], event.actor) == ("set_day", admin)
    assert event.role == "superuser"
