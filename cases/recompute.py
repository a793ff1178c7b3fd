"""Open deadlines follow the calendar (R24.2, R24.3).

When days that deadlines may already have counted change — the State Council's notice entered
for a provisional year, a package that now has it, an administrator's correction of a day —
``workdays`` sends ``days_changed`` (:mod:`workdays.signals`) inside its transaction, and
:func:`recompute` computes every open deadline whose computation spans a changed day again:

- the candidates are found set-based (indexed ranges on the deadlines, no scan of the cases);
- each is computed again from what it was computed from: the dispatch limit from the
  verification, a handling deadline from its basis (:mod:`cases.deadline_basis`: period start,
  limit, extensions, suspensions);
- the cases are handled in chunks, locked; the moved deadlines, their flags and the cases'
  archive heads are written with bulk updates, and each case whose deadline moved gets one
  archive event ``deadline_change`` (R26.2) and one audit record (R28.1) naming every deadline
  that moved, before and after, also written in bulk (``gridgov.rows.update_many``: one
  ``UPDATE … FROM (VALUES …)`` per chunk on PostgreSQL);
- a moved case's next deadline check is due at once (``Case.next_check_at``, planned through
  :mod:`cases.tasks`): the check recolours it (amber/red), notifies and plans the next one.

The number of moved deadlines goes back to the administrator who entered the notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from cases import archive, clock, deadline_basis
from cases.actions import CaseAction
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    Assignment,
    AssignmentRole,
    Case,
    CaseEvent,
    State,
)
from gridgov import rows
from gridgov.access import roles as R
from gridgov.access import scoping
from workdays import services as calendar

CHUNK = 500
ACTION = "deadline_change"
DISPATCH_STATES = (State.VERIFIED, State.ACCEPTED)
CASE_FIELDS = [
    "dispatch_due_at",
    "dispatch_due_provisional",
    "due_at",
    "due_provisional",
    "next_check_at",
    "archive_seq",
    "archive_head",
    "updated_at",
]
ASSIGNMENT_FIELDS = [
    "due_at",
    "clock_started_at",
    "original_due_at",
    "due_provisional",
    "deadline_basis",
]


REASON_LABELS = {
    "notice": gettext_lazy("录入国务院节假日安排通知"),
    "seed": gettext_lazy("日历软件包更新节假日安排"),
    "statutory": gettext_lazy("改按法定节假日暂定"),
    "set_day": gettext_lazy("管理员修改日历"),
}


def describe(data: dict[str, Any], departments: dict[int, str]) -> list[str]:
    """A few words on a deadline change for the case page: why, and each move."""
    words = [str(REASON_LABELS.get(data.get("reason", ""), data.get("reason", "")))]
    for change in data.get("deadlines") or []:
        before, after = (
            timezone.localtime(dt.datetime.fromisoformat(change[k])).strftime("%m-%d %H:%M")
            if change.get(k)
            else "-"
            for k in ("before", "after")
        )
        if change.get("deadline") == "dispatch":
            what = _("派遣时限")
        else:
            department = change.get("department")
            what = _("%(dept)s 办理时限") % {"dept": departments.get(department, department)}
        words.append(f"{what} {before} → {after}")
    return words


def on_days_changed(
    sender: Any, *, first: dt.date, last: dt.date, actor: Any, reason: str, **kwargs: Any
) -> int:
    """The receiver of ``workdays.signals.days_changed``: the number of deadlines moved."""
    return recompute(first, last, actor=actor, reason=reason)


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    since = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return since, until


def candidate_case_ids(first: dt.date, last: dt.date) -> list[int]:
    """Open cases with a deadline whose computation spans a day of first..last: it ends on or
    after ``first`` and started before the day after ``last`` (set-based, on indexed dates)."""
    since, until = _bounds(first, last)
    dispatch = Case.objects.filter(
        state__in=DISPATCH_STATES, dispatch_due_at__gte=since, verified_at__lt=until
    ).values_list("pk", flat=True)
    handling = (
        Assignment.objects.filter(
            state__in=ACTIVE_ASSIGNMENT_STATES,
            case__state__in=OPEN_STATES,
            due_at__gte=since,
            dispatched_at__lt=until,
        )
        .values_list("case_id", flat=True)
        .distinct()
    )
    return sorted(set(dispatch) | set(handling))


def _role(actor: Any) -> str:
    grants = [] if scoping.is_system(actor) else scoping.grants_for(actor, R.ADMIN_ROLES)
    return scoping.acting_role(actor, grants[0] if grants else None)


def recompute(
    first: dt.date,
    last: dt.date,
    *,
    actor: Any,
    reason: str,
    now: dt.datetime | None = None,
) -> int:
    """Compute again the open deadlines spanning first..last; the number that moved. Runs in
    the caller's transaction (the calendar change it follows)."""
    now = now or timezone.now()
    role = _role(actor)
    ids = candidate_case_ids(first, last)
    moved = 0
    checks_due = False
    for start in range(0, len(ids), CHUNK):
        chunk_moved, chunk_checks = _recompute_chunk(
            ids[start : start + CHUNK], first, last, actor, role, reason, now
        )
        moved += chunk_moved
        checks_due = checks_due or chunk_checks
    if checks_due:
        clock.plan_check(now)
    return moved


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


def _recompute_chunk(
    ids: list[int],
    first: dt.date,
    last: dt.date,
    actor: Any,
    role: str,
    reason: str,
    now: dt.datetime,
) -> tuple[int, bool]:
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("entry")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    assignments: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(
        case_id__in=ids, state__in=ACTIVE_ASSIGNMENT_STATES
    ).order_by("case_id", "pk"):
        assignments.setdefault(assignment.case_id, []).append(assignment)
    case_rows: list[Case] = []
    assignment_rows: list[Assignment] = []
    events: list[CaseEvent] = []
    entries = []
    moved = 0
    checks_due = False
    for case in cases:
        changes, dirty_case = _dispatch_change(case)
        for assignment in assignments.get(case.pk, []):
            change, dirty, lead_moved = _handling_change(case, assignment)
            if dirty:
                assignment_rows.append(assignment)
            if change:
                changes.append(change)
            dirty_case = dirty_case or lead_moved
        if changes:
            moved += len(changes)
            before = {"deadlines": [{k: v for k, v in c.items() if k != "after"} for c in changes]}
            event = archive.next_event(
                case,
                action=ACTION,
                actor=actor,
                role=role,
                from_state=case.state,
                to_state=case.state,
                data={"reason": reason, "first": first, "last": last, "deadlines": changes},
                at=now,
            )
            events.append(event)
            entries.append(
                audit.new_record(
                    actor,
                    CaseAction.DEADLINE_CHANGE,
                    case,
                    before=before,
                    after={"deadlines": changes, "reason": reason, "event": event.seq},
                    region_code=case.grid_code,
                    role=role,
                )
            )
            if case.state != State.SUSPENDED:  # a suspended case is checked once resumed
                case.next_check_at = now
                checks_due = True
            case.updated_at = now
            dirty_case = True
        if dirty_case:
            case_rows.append(case)
    rows.update_many(Assignment, assignment_rows, ASSIGNMENT_FIELDS)
    rows.update_many(Case, case_rows, CASE_FIELDS)
    if events:
        archive.store_many(events)
        audit.store_many(entries)
    return moved, checks_due


def _dispatch_change(case: Case) -> tuple[list[dict[str, Any]], bool]:
    """The case's dispatch deadline computed again (cases waiting to be dispatched): (the
    change, if it moved; whether the case must be saved)."""
    entry = case.entry
    if (
        case.state not in DISPATCH_STATES
        or case.verified_at is None
        or case.dispatch_due_at is None
        or not entry.dispatch_limit_amount
    ):
        return [], False
    try:
        due = calendar.deadline(
            case.verified_at, entry.dispatch_limit_amount, entry.dispatch_limit_unit
        )
    except calendar.CalendarNotCovered:
        return [], False
    provisional = calendar.is_provisional_between(case.verified_at, due)
    changes = []
    dirty = False
    if due != case.dispatch_due_at:
        changes.append(
            {
                "deadline": "dispatch",
                "before": _when(case.dispatch_due_at),
                "after": _when(due),
            }
        )
        case.dispatch_due_at = due
        dirty = True
    if provisional != case.dispatch_due_provisional:
        case.dispatch_due_provisional = provisional
        dirty = True
    return changes, dirty


def _handling_change(
    case: Case, assignment: Assignment
) -> tuple[dict[str, Any] | None, bool, bool]:
    """(the change of the assignment's deadline or None, whether the assignment must be
    saved, whether the case must be: the lead's deadline is the case's)."""
    if assignment.due_at is None:
        return None, False, False  # not computed yet: the deadline sweep fills it in
    entry = case.entry
    basis = deadline_basis.of(assignment, (entry.handling_limit_amount, entry.handling_limit_unit))
    if not basis:
        return None, False, False
    try:
        clock, due = deadline_basis.replay(basis)
    except calendar.CalendarNotCovered:
        return None, False, False
    provisional = calendar.is_provisional_between(deadline_basis.start_of(basis) or clock, due)
    before = assignment.due_at
    dirty = False
    change = None
    if due != before:
        change = {
            "deadline": "handling",
            "assignment": assignment.pk,
            "department": assignment.department_id,
            "before": _when(before),
            "after": _when(due),
        }
        if assignment.original_due_at == before:  # never extended nor reworked
            assignment.original_due_at = due
        assignment.due_at = due
        dirty = True
    if clock != assignment.clock_start:
        assignment.clock_started_at = clock
        dirty = True
    if provisional != assignment.due_provisional:
        assignment.due_provisional = provisional
        dirty = True
    if not assignment.deadline_basis:
        assignment.deadline_basis = basis  # the reconstruction, kept from now on
        dirty = True
    lead_moved = assignment.role == AssignmentRole.LEAD and (
        case.due_at,
        case.due_provisional,
    ) != (assignment.due_at, assignment.due_provisional)
    if lead_moved:
        case.due_at, case.due_provisional = assignment.due_at, assignment.due_provisional
    return change, dirty, lead_moved
