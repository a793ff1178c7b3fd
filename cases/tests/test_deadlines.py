"""Deadline rules (R24.2, R24.3, R27.1): the dispatch deadline from verification, each
assignment's handling deadline, amber at the configured share and red when overdue,
extensions, suspension, and cases whose dates the calendar does not cover yet.

Time is never waited for: the services run under a fixed clock (``clock``) and the status
checks take an explicit ``now``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases import clock as deadline_clock
from cases import services, tasks
from cases.inputs import ReportInput
from cases.models import (
    Assignment,
    Case,
    DeadlineStatus,
    Extension,
    Notification,
    RequestStatus,
    State,
)
from cases.tests.conftest import SYSTEM
from gridgov.errors import DomainError, Forbidden
from workdays import services as calendar

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)


# --- helpers shared with the other deadline, task and supervision tests ---------------------


@contextlib.contextmanager
def clock(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (every ``timezone.now()`` answers it)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def working_morning(after: dt.date) -> dt.datetime:
    """09:00 on the first working day after ``after``."""
    day = calendar.add_workdays(after, 1)
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def t0(world) -> dt.datetime:
    """The next working morning: the moment the cases below are reported and dispatched (in
    the future, so the world's role grants are in force; the test calendar covers next year
    too)."""
    return working_morning(timezone.localdate())


def report(world, at: dt.datetime, actor=None, **kw) -> Case:
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏，夜间有治安隐患")
    with clock(at):
        return services.intake(actor or world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


def dispatched(world, at: dt.datetime, *, co=(), sign: bool = True) -> Case:
    """A worker's report accepted and dispatched at ``at`` to the police (lead) and ``co``."""
    case = report(world, at)
    with clock(at):
        services.accept(world.dispatcher, case.pk)
        case = services.dispatch(
            world.dispatcher,
            case.pk,
            lead_department=world.police.pk,
            co_departments=[d.pk for d in co],
        )
        if sign:
            case = services.sign(world.police_handler, case.pk)
    return case


def refresh(case: Case, now: dt.datetime) -> Case:
    case = Case.objects.select_related("entry").get(pk=case.pk)
    deadline_clock.refresh_deadline_status(case, now)
    return Case.objects.get(pk=case.pk)


def notifications(case: Case, kind: str) -> list[tuple[str, int | None]]:
    """(agency code, department id) of each notification of ``kind`` about the case."""
    return sorted(
        Notification.objects.filter(case=case, kind=kind).values_list(
            "agency_code", "department_id"
        ),
        key=str,
    )


def lead(case: Case) -> Assignment:
    return case.assignments.get(role="lead", state__in=["dispatched", "signed"])


# --- R24.2: dispatch within the set time, counted from verification --------------------------


def test_r24_2_dispatch_deadline_runs_from_verification(world, t0):
    """A resident's report has no dispatch deadline until a grid worker verifies it; then the
    entry's limit (2 working hours) runs from the verification, amber at 80 %, red after."""
    case = report(world, t0, world.resident)
    assert (case.state, case.dispatch_due_at, case.deadline_status) == (
        State.REPORTED,
        None,
        DeadlineStatus.NONE,
    )
    verified_at = t0 + HOUR
    with clock(verified_at):
        case = services.verify(world.worker, case.pk)
    due = calendar.deadline(verified_at, 2, "workhours")
    assert case.dispatch_due_at == due
    assert case.deadline_status == DeadlineStatus.NORMAL
    assert case.events.get(action="verify").data["calendar"] is None

    amber = calendar.add_working_fraction(verified_at, due, 0.8)
    assert refresh(case, amber - SECOND).deadline_status == DeadlineStatus.NORMAL
    assert refresh(case, amber).deadline_status == DeadlineStatus.AMBER
    assert notifications(case, "amber") == [("440703002", None)]  # the agency must dispatch
    assert refresh(case, due).deadline_status == DeadlineStatus.RED
    assert notifications(case, "red") == [("440703002", None)]
    assert refresh(case, due).is_overdue

    with clock(due + HOUR):
        services.accept(world.dispatcher, case.pk)
        case = services.dispatch(world.dispatcher, case.pk)
    # Dispatched: the handling deadlines take over.
    assert case.deadline_status == DeadlineStatus.NORMAL
    assert case.due_at == calendar.deadline(due + HOUR, 3, "workdays")


# --- R24.3: each assignment has its own handling deadline -------------------------------------


def test_r24_3_each_assignment_has_its_own_deadline(world, t0):
    case = dispatched(world, t0, co=[world.urban])
    due = calendar.deadline(t0, 3, "workdays")
    police, urban = (case.assignments.get(department=d) for d in (world.police, world.urban))
    assert police.due_at == urban.due_at == police.original_due_at == due
    assert case.due_at == due

    # The co-department gets two more working days; the lead's (and the case's) stay.
    with clock(t0 + HOUR):
        services.sign(world.urban_handler, case.pk)
        extension = services.request_extension(
            world.urban_handler, case.pk, amount=2, unit="workdays", reason="等待物料"
        )
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=True)
    police.refresh_from_db()
    urban.refresh_from_db()
    assert police.due_at == due
    assert urban.due_at == calendar.deadline(due, 2, "workdays")
    assert Case.objects.get(pk=case.pk).due_at == due

    # At the lead's deadline the lead (and so the case) is red; the co-department is not.
    case = refresh(case, due)
    police.refresh_from_db()
    urban.refresh_from_db()
    assert police.deadline_status == DeadlineStatus.RED
    assert urban.deadline_status == DeadlineStatus.NORMAL  # 3 of 5 days used: 60 %
    assert case.deadline_status == DeadlineStatus.RED
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]


# --- R27.1: amber at the configured share, red when overdue, each warned once -----------------


def test_r27_1_amber_then_red_each_notified_once(world, t0):
    case = dispatched(world, t0)
    due = lead(case).due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)  # the entry's threshold: 80 %

    assert deadline_clock.sweep_deadlines(now=amber - SECOND) == {"cases": 1, "changes": 0}
    assert deadline_clock.sweep_deadlines(now=amber)["changes"] == 2  # the assignment and the case
    assert refresh(case, amber).deadline_status == DeadlineStatus.AMBER
    # The department and the agency are told once, however often the sweep runs.
    for now in (amber, amber + HOUR, due - SECOND):
        assert deadline_clock.sweep_deadlines(now=now)["changes"] == 0
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]

    assert deadline_clock.sweep_deadlines(now=due)["changes"] == 2
    assert deadline_clock.sweep_deadlines(now=due + 10 * HOUR)["changes"] == 0
    case = Case.objects.get(pk=case.pk)
    assert case.deadline_status == DeadlineStatus.RED and case.is_overdue
    assert lead(case).deadline_status == DeadlineStatus.RED
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]


def test_r27_1_the_threshold_is_the_admission_entrys(world, t0):
    """The share that turns a case amber is set per admission entry: 50 % here."""
    case = dispatched(world, t0)
    type(case.entry).objects.filter(pk=case.entry_id).update(amber_threshold_percent=50)
    due = lead(case).due_at
    half = calendar.add_working_fraction(t0, due, 0.5)
    assert refresh(case, half - SECOND).deadline_status == DeadlineStatus.NORMAL
    assert refresh(case, half).deadline_status == DeadlineStatus.AMBER


def test_r27_1_closed_cases_are_not_checked(world, t0):
    case = dispatched(world, t0)
    due = lead(case).due_at
    with clock(t0 + HOUR):
        services.feedback(world.police_handler, case.pk, note="已修复")
        services.check(world.dispatcher, case.pk, passed=True)
    assert deadline_clock.sweep_deadlines(now=due + HOUR) == {"cases": 0, "changes": 0}
    assert not Notification.objects.filter(case=case, kind__in=["amber", "red"]).exists()


def test_r24_3_rework_gets_a_fresh_handling_period(world, t0):
    case = dispatched(world, t0)
    with clock(t0 + HOUR):
        services.feedback(world.police_handler, case.pk, note="已处理")
    rework_at = calendar.deadline(t0, 2, "workdays")
    with clock(rework_at):
        case = services.check(world.dispatcher, case.pk, passed=False, note="仍未修好")
    assert case.due_at == lead(case).due_at == calendar.deadline(rework_at, 3, "workdays")


def test_r27_1_after_rework_amber_counts_from_the_rework(world, t0):
    """The time before a rework is not "used" of the fresh period: amber comes at 80 % of
    the new period, not earlier."""
    case = dispatched(world, t0)
    with clock(t0 + HOUR):
        services.feedback(world.police_handler, case.pk, note="已处理")
    rework_at = calendar.deadline(t0, 2, "workdays")
    with clock(rework_at):
        case = services.check(world.dispatcher, case.pk, passed=False, note="仍未修好")
    due = lead(case).due_at
    amber = calendar.add_working_fraction(rework_at, due, 0.8)
    assert refresh(case, amber - SECOND).deadline_status == DeadlineStatus.NORMAL
    assert refresh(case, amber).deadline_status == DeadlineStatus.AMBER


def test_r27_1_after_a_suspension_the_paused_time_is_not_counted_as_used(world, t0):
    case = dispatched(world, t0)
    asked = t0 + HOUR
    with clock(asked):
        request = services.request_suspension(world.police_handler, case.pk, reason="等待")
        services.decide_suspension(world.dispatcher, case.pk, suspension=request, approve=True)
    resumed = working_morning(calendar.add_workdays(asked.date(), 5))
    with clock(resumed):
        case = services.resume(world.dispatcher, case.pk)
    assignment = lead(case)
    amber = calendar.add_working_fraction(assignment.clock_start, assignment.due_at, 0.8)
    assert amber > resumed
    assert refresh(case, amber - SECOND).deadline_status == DeadlineStatus.NORMAL
    assert refresh(case, amber).deadline_status == DeadlineStatus.AMBER


# --- R24.3: extensions move the deadline only on the agency's approval ------------------------


def test_r24_3_extension_request_moves_nothing_until_the_agency_approves(world, t0):
    case = dispatched(world, t0)
    due = case.due_at
    with clock(t0 + HOUR):
        with pytest.raises(DomainError) as bad:
            services.request_extension(
                world.police_handler, case.pk, amount=2, unit="days", reason="x"
            )
        assert bad.value.field == "unit"
        with pytest.raises(DomainError) as bad:
            services.request_extension(
                world.police_handler, case.pk, amount=0, unit="workdays", reason="x"
            )
        assert bad.value.field == "amount"
        with pytest.raises(Forbidden):  # not the department's case
            services.request_extension(
                world.housing_handler, case.pk, amount=2, unit="workdays", reason="x"
            )
        extension = services.request_extension(
            world.police_handler, case.pk, amount=2, unit="workdays", reason="需协调供电部门"
        )
        assert extension.status == RequestStatus.PENDING
        assert Case.objects.get(pk=case.pk).due_at == lead(case).due_at == due
        with pytest.raises(DomainError, match="待审批"):
            services.request_extension(
                world.police_handler, case.pk, amount=1, unit="workdays", reason="再次申请"
            )
        # Only the agency holding the case decides.
        for someone in (world.police_handler, world.supervisor, world.county_dispatcher):
            with pytest.raises(Forbidden):
                services.decide_extension(someone, case.pk, extension=extension, approve=True)
        assert Extension.objects.get(pk=extension.pk).status == RequestStatus.PENDING

        extension = services.decide_extension(
            world.dispatcher, case.pk, extension=extension, approve=True, note="同意"
        )
    new_due = calendar.deadline(due, 2, "workdays")
    assert extension.status == RequestStatus.APPROVED and extension.new_due_at == new_due
    assignment = lead(case)
    assert (assignment.due_at, assignment.original_due_at) == (new_due, due)
    assert Case.objects.get(pk=case.pk).due_at == new_due  # the lead's deadline is the case's
    event = case.events.get(action="decide_extension")
    assert event.data["approved"] and event.data["new_due_at"] == new_due.isoformat()
    with clock(t0 + HOUR), pytest.raises(DomainError) as again:
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=False)
    assert again.value.code == "decided" and again.value.http_status == 400


def test_r24_3_a_refused_extension_moves_nothing(world, t0):
    case = dispatched(world, t0)
    due = case.due_at
    with clock(t0 + HOUR):
        extension = services.request_extension(
            world.police_handler, case.pk, amount=8, unit="workhours", reason="雨天无法施工"
        )
        with pytest.raises(DomainError) as no_reason:
            services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=False)
        assert no_reason.value.field == "note"
        extension = services.decide_extension(
            world.dispatcher, case.pk, extension=extension, approve=False, note="理由不充分"
        )
    assert extension.status == RequestStatus.REFUSED and extension.new_due_at is None
    assert lead(case).due_at == due and Case.objects.get(pk=case.pk).due_at == due
    assert case.events.get(action="decide_extension").data["approved"] is False


# --- R24.3: suspension stops the clock; resuming shifts the deadlines ---------------------------


def test_r24_3_suspension_stops_the_clock_and_resume_shifts_deadlines(world, t0):
    case = dispatched(world, t0, co=[world.urban])
    due = case.due_at
    asked = working_morning(t0.date())  # the next working morning
    with clock(asked):
        with pytest.raises(Forbidden):  # a co-department cannot stop the case's clock
            services.request_suspension(world.urban_handler, case.pk, reason="等待")
        first = services.request_suspension(world.police_handler, case.pk, reason="等待法院裁定")
        with pytest.raises(Forbidden):
            services.decide_suspension(
                world.police_handler, case.pk, suspension=first, approve=True
            )
        case = services.decide_suspension(
            world.dispatcher, case.pk, suspension=first, approve=False, note="可先行处置"
        )
        assert case.state == State.IN_PROGRESS  # refused: nothing stops
        second = services.request_suspension(world.police_handler, case.pk, reason="等待法院裁定")
        case = services.decide_suspension(
            world.dispatcher, case.pk, suspension=second, approve=True
        )
    assert (case.state, case.suspended_from) == (State.SUSPENDED, State.IN_PROGRESS)

    # Long past the deadline, nothing turns red while the case waits.
    late = due + 50 * HOUR
    assert deadline_clock.sweep_deadlines(now=late) == {"cases": 0, "changes": 0}
    assert tasks.check_case_deadlines.call(case.pk) == []
    case = refresh(case, late)
    assert case.deadline_status == DeadlineStatus.NORMAL
    assert not Notification.objects.filter(case=case, kind__in=["amber", "red"]).exists()

    resumed = working_morning(calendar.add_workdays(asked.date(), 2))  # three days later
    paused_hours = calendar.working_seconds_between(asked, resumed) / 3600
    assert paused_hours == 3 * 6.5
    with clock(resumed):
        case = services.resume(world.dispatcher, case.pk, note="裁定已下达")
    moved = calendar.add_working_hours(due, paused_hours)
    assert case.state == State.IN_PROGRESS and case.due_at == moved
    assert {a.due_at for a in case.assignments.all()} == {moved}  # lead and co-department
    assert case.events.get(action="resume").data["paused_work_hours"] == 19.5
    assert case.suspensions.get(pk=second.pk).resumed_at == resumed


# --- R24.2, R24.3: a year the calendar does not cover yet -------------------------------------


def test_r24_uncovered_year_the_case_goes_on_and_the_sweep_fills_deadlines_in(
    world, django_capture_on_commit_callbacks, settings
):
    """Deadlines in a year the calendar does not cover are not guessed: the case goes on
    without one (status ``none``, the reason in the archive), and once an administrator
    opens the year the sweep fills them in."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    year = timezone.localdate().year + 2  # the test calendar covers up to next year
    monday = dt.datetime(year, 6, 5, 9, tzinfo=timezone.get_default_timezone())
    monday -= dt.timedelta(days=monday.weekday())
    resident_case = report(world, monday, world.resident)
    with clock(monday):
        resident_case = services.verify(world.worker, resident_case.pk)
    assert resident_case.dispatch_due_at is None
    assert resident_case.deadline_status == DeadlineStatus.NONE
    assert str(year) in resident_case.events.get(action="verify").data["calendar"]

    case = dispatched(world, monday)
    assert case.state == State.IN_PROGRESS  # the case goes on
    assert (case.due_at, case.deadline_status) == (None, DeadlineStatus.NONE)
    assert lead(case).due_at is None
    assert str(year) in case.events.get(action="dispatch").data["calendar"]
    assert deadline_clock.sweep_deadlines(now=monday + HOUR) == {"cases": 2, "changes": 0}

    calendar.open_year(SYSTEM, year)  # Monday to Friday until the notice is entered
    with django_capture_on_commit_callbacks(execute=True):
        deadline_clock.sweep_deadlines(now=monday + HOUR)
    due = calendar.deadline(monday, 3, "workdays")
    assignment = lead(case)
    assert (assignment.due_at, assignment.original_due_at) == (due, due)
    case = Case.objects.get(pk=case.pk)
    assert (case.due_at, case.deadline_status) == (due, DeadlineStatus.NORMAL)
    resident_case = Case.objects.get(pk=resident_case.pk)
    assert resident_case.dispatch_due_at == calendar.deadline(monday, 2, "workhours")
    assert resident_case.deadline_status == DeadlineStatus.NORMAL
    # … and the background checks are planned for the new deadlines.
    from django_tasks_db.models import DBTaskResult

    from cases import tasks

    amber = calendar.add_working_fraction(monday, due, 0.8)
    assert Case.objects.get(pk=case.pk).next_check_at == amber
    dispatch_due = resident_case.dispatch_due_at
    dispatch_amber = calendar.add_working_fraction(monday, dispatch_due, 0.8)
    assert resident_case.next_check_at == min(
        m for m in (dispatch_amber, dispatch_due) if m > monday + HOUR
    )
    planned = {
        r.run_after
        for r in DBTaskResult.objects.filter(task_path=tasks.check_due_cases.module_path)
    }
    assert {tasks.minute_of(amber), tasks.minute_of(resident_case.next_check_at)} <= planned


# --- the sweep command --------------------------------------------------------------------------


def test_r27_1_sweep_command_is_idempotent_and_prints_counts(world, t0, capsys):
    case = dispatched(world, t0)
    with clock(case.due_at + HOUR):
        call_command("sweep_deadlines")
        first = capsys.readouterr().out
        call_command("sweep_deadlines")
        second = capsys.readouterr().out
    assert first.strip() == "1 open cases checked, 2 changes"
    assert second.strip() == "1 open cases checked, 0 changes"
    assert len(notifications(case, "red")) == 2
