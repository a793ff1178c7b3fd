"""The deadline clock of a case (R24.2, R24.3, R27.1): deadlines from the working-day calendar,
their amber and red colours, and the planning of the checks that recolour them.

Every open case records the next moment one of its colours may change (``Case.next_check_at``):
:func:`schedule_checks` plans it when a step sets a deadline, :func:`refresh_deadline_status`
recolours the case and plans the moment after. The jobs that run the checks are
:mod:`cases.tasks`, which builds on this module; it is the planner this module hands each
moment to (:func:`set_planner`, set when the app starts), so the clock never imports the tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from cases import deadline_basis, primitives
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    AssignmentRole,
    Case,
    DeadlineStatus,
    State,
)
from workdays import services as calendar


def deadline(start: dt.datetime, amount: float | None, unit: str) -> tuple[dt.datetime | None, str]:
    """A deadline from the working-day calendar, or None with the reason when the calendar
    does not cover the dates (the case goes on; the sweep fills it in once it does)."""
    if not amount:
        return None, ""
    try:
        return calendar.deadline(start, amount, unit), ""
    except calendar.CalendarNotCovered as exc:
        return None, exc.message


def provisional(start: dt.datetime | None, due: dt.datetime | None) -> bool:
    """Did the deadline from ``start`` to ``due`` count days of a provisional calendar year
    (statutory holidays only, the State Council's notice not entered yet)? Shown with the
    deadline; :mod:`cases.recompute` moves it when the notice is entered (R24.2)."""
    return start is not None and due is not None and calendar.is_provisional_between(start, due)


def check_moments(
    start: dt.datetime | None, due: dt.datetime | None, amber: float
) -> list[dt.datetime]:
    """When a deadline's colour changes: its amber moment (where the calendar covers it) and
    the deadline itself (R24.2, R24.3, R27.1)."""
    if start is None or due is None:
        return []
    moments = [due]
    # Without the calendar for the amber moment, the check at the deadline still comes.
    with contextlib.suppress(calendar.CalendarNotCovered):
        moments.append(calendar.add_working_fraction(start, due, amber))
    return moments


def schedule_checks(
    case: Case,
    start: dt.datetime | None,
    due: dt.datetime | None,
    amber: float,
    *,
    save: bool = True,
) -> None:
    """Plan the background check of the case at the amber moment and at the deadline of one
    of its deadlines (R24.2, R24.3, R27.1). ``start`` is where the status computation counts
    from (verification for the dispatch deadline, the dispatch for a handling one).

    The case keeps only its next moment (``next_check_at``); each check plans the one after.
    An earlier moment already planned stays: checking early is harmless, the check then
    plans the right next moment. ``save=False``: the caller saves the case (intake inserts it).
    """
    if case.state not in OPEN_STATES:
        return
    moments = check_moments(start, due, amber)
    if not moments:
        return
    first = min(moments)
    planned = case.next_check_at
    if planned is not None and primitives.now() < planned <= first:
        return
    case.next_check_at = first
    if save:
        save_next_check(case)
    plan_check(first)


def save_next_check(case: Case) -> None:
    """Bookkeeping of the background checks, not a change of the case: ``updated_at``
    stays."""
    Case.objects.filter(pk=case.pk).update(next_check_at=case.next_check_at)


# --- who runs the checks ---------------------------------------------------------------------

Planner = Callable[[dt.datetime], None]
_planner: list[Planner] = []  # the one planner, once set


def set_planner(planner: Planner) -> None:
    """Name what makes a check run at a moment: :func:`cases.tasks.plan_check`, set when the
    app starts (``CasesConfig.ready``). The tasks run this module's checks, so this module
    takes their planner as a hook instead of importing them."""
    _planner[:] = [planner]


def plan_check(moment: dt.datetime) -> None:
    """Make sure the open cases due by ``moment`` are checked then (R27.1)."""
    if not _planner:
        # Without it no deadline would ever turn amber or red: refuse rather than forget.
        raise RuntimeError("no deadline check planner: cases.tasks sets it in CasesConfig.ready")
    _planner[0](moment)


def _status(
    start: dt.datetime | None, due: dt.datetime | None, amber: float, now: dt.datetime
) -> str:
    if due is None or start is None:
        return DeadlineStatus.NONE
    if now >= due:
        return DeadlineStatus.RED
    try:
        share = calendar.elapsed_share(start, due, now)
    except calendar.CalendarNotCovered:
        return DeadlineStatus.NORMAL
    return DeadlineStatus.AMBER if share >= amber else DeadlineStatus.NORMAL


def refresh_deadline_status(case: Case, now: dt.datetime | None = None) -> list[str]:
    """Recompute amber/red for a case and its live assignments; notify on each new colour
    once (idempotent: notifications are keyed by case, assignment, colour and deadline)."""
    now = now or primitives.now()
    changes: list[str] = []
    if case.state not in OPEN_STATES or case.state == State.SUSPENDED:
        # Nothing to check until the case is open and running again (resume plans anew).
        if case.next_check_at is not None:
            case.next_check_at = None
            save_next_check(case)
        return changes
    terms = primitives.terms(case.entry)
    moments: list[dt.datetime] = []
    _refresh_colours(case, now, terms, moments, changes)
    _plan_next_check(case, now, moments)
    return changes


def _plan_next_check(case: Case, now: dt.datetime, moments: list[dt.datetime]) -> None:
    """Record and plan the case's next moment to come (none when every deadline has passed:
    red stays red until the case moves on, and the move plans anew)."""
    upcoming = min((m for m in moments if m > now), default=None)
    if upcoming != case.next_check_at:
        case.next_check_at = upcoming
        save_next_check(case)
    if upcoming is not None:
        plan_check(upcoming)


def _refresh_colours(
    case: Case,
    now: dt.datetime,
    terms: dict[str, Any],
    moments: list[dt.datetime],
    changes: list[str],
) -> None:
    """The body of :func:`refresh_deadline_status`; collects the moments still to come of
    every live deadline into ``moments``."""
    amber = terms["amber"]
    if case.state in (State.VERIFIED, State.ACCEPTED):
        if case.dispatch_due_at is None and case.verified_at:
            case.dispatch_due_at, _why = deadline(case.verified_at, *terms["dispatch"])
            if case.dispatch_due_at:
                case.dispatch_due_provisional = provisional(case.verified_at, case.dispatch_due_at)
                primitives.save(case, "dispatch_due_at", "dispatch_due_provisional")
        moments += check_moments(case.verified_at, case.dispatch_due_at, amber)
        status = _status(case.verified_at, case.dispatch_due_at, amber, now)
        if status != case.deadline_status:
            case.deadline_status = status
            primitives.save(case, "deadline_status")
            changes.append(f"case:{status}")
        if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
            primitives.notify(
                status,
                f"{status}:dispatch:{case.pk}:{case.dispatch_due_at:%s}",
                _("事件 %(code)s 派遣%(what)s")
                % {
                    "code": case.tracking_code,
                    "what": _("临期") if status == DeadlineStatus.AMBER else _("超期"),
                },
                case=case,
                agency_code=case.agency_code,
            )
        return
    lead_status = None
    for assignment in case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related(
        "department"
    ):
        if assignment.due_at is None:
            due, _why = deadline(assignment.clock_start, *terms["handling"])
            if due:
                assignment.due_at = assignment.original_due_at = due
                assignment.due_provisional = provisional(assignment.clock_start, due)
                assignment.deadline_basis = deadline_basis.new(
                    assignment.clock_start, *terms["handling"]
                )
                assignment.save(
                    update_fields=["due_at", "original_due_at", "due_provisional", "deadline_basis"]
                )
        moments += check_moments(assignment.clock_start, assignment.due_at, amber)
        status = _status(assignment.clock_start, assignment.due_at, amber, now)
        if status != assignment.deadline_status:
            assignment.deadline_status = status
            assignment.save(update_fields=["deadline_status"])
            changes.append(f"assignment:{assignment.pk}:{status}")
        if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
            what = _("临期") if status == DeadlineStatus.AMBER else _("超期")
            key = f"{status}:{assignment.pk}:{assignment.due_at:%s}"
            message = _("事件 %(code)s 办理%(what)s") % {"code": case.tracking_code, "what": what}
            primitives.notify(
                status, key + ":dept", message, case=case, department=assignment.department
            )
            primitives.notify(
                status, key + ":agency", message, case=case, agency_code=case.agency_code
            )
        if assignment.role == AssignmentRole.LEAD:
            lead_status = status
            if (case.due_at, case.due_provisional) != (
                assignment.due_at,
                assignment.due_provisional,
            ):
                case.due_at, case.due_provisional = assignment.due_at, assignment.due_provisional
                primitives.save(case, "due_at", "due_provisional")
    if lead_status and lead_status != case.deadline_status:
        case.deadline_status = lead_status
        primitives.save(case, "deadline_status")
        changes.append(f"case:{lead_status}")


def check_due_cases(now: dt.datetime | None = None) -> dict[str, int]:
    """Refresh every open case whose next check has come (R27.1; the minute's background
    job). Idempotent; each refreshed case records and plans its next moment."""
    now = now or primitives.now()
    open_cases = Case.objects.filter(state__in=OPEN_STATES).exclude(state=State.SUSPENDED)
    ids = list(
        open_cases.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )
    counts = _refresh_each(ids, now)
    # Whatever happened to other jobs, the earliest moment to come has one: the checks go on
    # as a chain as long as any open case has a deadline ahead.
    upcoming = open_cases.filter(next_check_at__gt=now).aggregate(at=Min("next_check_at"))["at"]
    if upcoming is not None:
        plan_check(upcoming)
    return counts


def _refresh_each(ids: list[int], now: dt.datetime) -> dict[str, int]:
    counts = {"cases": 0, "changes": 0}
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("entry").get(pk=pk)
            counts["changes"] += len(refresh_deadline_status(case, now))
            counts["cases"] += 1
    return counts


def sweep_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Re-check every open case and plan its next check anew (idempotent: a second run
    changes and notifies nothing). Makes up for lost jobs, e.g. a Redis that was emptied."""
    now = now or primitives.now()
    ids = list(
        Case.objects.filter(state__in=OPEN_STATES)
        .exclude(state=State.SUSPENDED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _refresh_each(ids, now)
