"""Time a department asks for (R24.3): extensions of a deadline and suspensions of the clock,
the agency's decisions on them, and resuming a suspended case."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases import clock, deadline_basis, primitives, steps
from cases.inputs import Photos
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    AgencyDecidedRequest,
    AssignmentRole,
    Case,
    Extension,
    RequestStatus,
    State,
    Suspension,
)
from cases.primitives import Actor
from cases.uploads import check_photos
from gridgov.errors import DomainError
from workdays import services as calendar

# The most one extension may ask for, per unit (R24.3).
EXTENSION_LIMITS = {"workdays": 60, "workhours": 480}


def _check_amount(amount: int, unit: str) -> None:
    limit = EXTENSION_LIMITS.get(unit)
    if limit is None:
        raise DomainError(_("单位须为 workdays 或 workhours"), field="unit")
    if not 1 <= amount <= limit:
        raise DomainError(_("延长量超出允许范围"), field="amount")


@transaction.atomic
def request_extension(
    actor: Actor, case_id: int, *, amount: int, unit: str, reason: str, client_id: str = ""
) -> Extension:
    """A department asks for more time with a reason; nothing moves until the agency approves."""
    case = steps.lock(case_id)
    existing = Extension.objects.filter(
        assignment__case=case, requested_by=steps.user(actor), status=RequestStatus.PENDING
    ).first()
    if steps.replayed(case, "extend", client_id) and existing:
        return existing
    step = steps.begin(actor, case, "extend", client_id)
    assignment = steps.my_assignment(case, step.authority, ACTIVE_ASSIGNMENT_STATES)
    _check_amount(amount, unit)
    reason = steps.required(reason, "reason")
    if Extension.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists():
        raise DomainError(_("已有待审批的延期申请"), field="amount", code="pending")
    extension = Extension.objects.create(
        assignment=assignment,
        amount=amount,
        unit=unit,
        reason=reason,
        requested_by=steps.user(actor),
        requested_at=primitives.now(),
    )
    step.record(
        note=reason,
        data={
            "extension": extension.pk,
            "amount": amount,
            "unit": unit,
            "department": assignment.department_id,
        },
        audit_before=False,
    )
    return extension


def _decide(
    step: steps.Step, request: AgencyDecidedRequest, field: str, approve: bool, note: str
) -> bool:
    """The agency's decision on a pending request, on the (unsaved) request (R24.3): approved,
    or refused with the reason; False for a resend of a decision already taken (nothing
    changes), a 400 on ``field`` for another decision on a decided request."""
    if request.status != RequestStatus.PENDING:
        if steps.replayed(step.case, step.action, step.client_id):
            return False
        raise DomainError(_("该申请已审批"), field=field, code="decided")
    if not approve:  # a refusal says why (R24.3)
        steps.required(note, "note")
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by = steps.user(step.actor)
    request.decided_at = primitives.now()
    request.decision_note = note
    return True


@transaction.atomic
def decide_extension(
    actor: Actor,
    case_id: int,
    *,
    extension: Extension | int,
    approve: bool,
    note: str = "",
    client_id: str = "",
) -> Extension:
    """The agency approves (the deadline moves) or refuses an extension (R24.3)."""
    case = steps.lock(case_id)
    step = steps.begin(actor, case, "decide_extension", client_id)
    extensions = Extension.objects.filter(assignment__case=case).select_related("assignment")
    request = steps.locked_item(extensions, extension, "extension", _("没有这个延期申请"))
    if not _decide(step, request, "extension", approve, note):
        return request
    now = request.decided_at
    if approve:
        assignment = request.assignment
        base = assignment.due_at or now
        new_due, why = clock.deadline(base, request.amount, request.unit)
        if new_due is None:
            raise DomainError(why, field="extension", code="calendar_not_covered")
        request.new_due_at = new_due
        if assignment.due_at is None:  # the extension's amount from now: a period of its own
            basis = deadline_basis.new(base, request.amount, request.unit)
        else:
            handling = primitives.terms(case.entry)["handling"]
            basis = deadline_basis.of(assignment, handling)
            basis = deadline_basis.extended(basis, request.amount, request.unit)
        assignment.due_at = new_due
        assignment.deadline_basis = basis
        assignment.due_provisional = clock.provisional(
            deadline_basis.start_of(basis) or assignment.clock_start, new_due
        )
        assignment.save(update_fields=["due_at", "deadline_basis", "due_provisional"])
        if assignment.role == AssignmentRole.LEAD:
            case.due_at = new_due
            case.due_provisional = assignment.due_provisional
            primitives.save(case, "due_at", "due_provisional")
        clock.schedule_checks(
            case, assignment.clock_start, new_due, primitives.terms(case.entry)["amber"]
        )
    request.save()
    clock.refresh_deadline_status(case)
    step.record(
        note=note,
        data={
            "extension": request.pk,
            "approved": bool(approve),
            "new_due_at": request.new_due_at.isoformat() if request.new_due_at else None,
        },
    )
    return request


@transaction.atomic
def request_suspension(
    actor: Actor, case_id: int, *, reason: str, client_id: str = ""
) -> Suspension:
    """Waiting on outside conditions (weather, court, owner abroad): ask to stop the clock."""
    case = steps.lock(case_id)
    pending = case.suspensions.filter(status=RequestStatus.PENDING).first()
    if pending and steps.replayed(case, "suspend", client_id):
        return pending
    step = steps.begin(actor, case, "suspend", client_id)
    reason = steps.required(reason, "reason")
    if pending:
        raise DomainError(_("已有待审批的挂起申请"), field="reason", code="pending")
    suspension = Suspension.objects.create(
        case=case, reason=reason, requested_by=steps.user(actor), requested_at=primitives.now()
    )
    step.record(note=reason, data={"suspension": suspension.pk}, audit_before=False)
    return suspension


@transaction.atomic
def decide_suspension(
    actor: Actor,
    case_id: int,
    *,
    suspension: Suspension | int,
    approve: bool,
    note: str = "",
    client_id: str = "",
) -> Case:
    """Approve (the case is suspended and its clock stops) or refuse a suspension (R24.3)."""
    case = steps.lock(case_id)
    step = steps.begin(actor, case, "decide_suspension", client_id)
    missing = _("没有这个挂起申请")
    request = steps.locked_item(case.suspensions.all(), suspension, "suspension", missing)
    if not _decide(step, request, "suspension", approve, note):
        return case
    request.save()
    if approve:
        case.suspended_from = case.state
        case.state = State.SUSPENDED
        primitives.save(case, "state", "suspended_from")
    step.record(
        note=request.decision_note,
        data={"suspension": request.pk, "approved": bool(approve)},
    )
    return case


@transaction.atomic
def resume(
    actor: Actor, case_id: int, *, note: str = "", photos: Photos = (), client_id: str = ""
) -> Case:
    """Back to work: every open deadline moves on by the working time the case was
    suspended, so the department loses nothing to the wait."""
    case = steps.lock(case_id)
    if steps.replayed(case, "resume", client_id):
        return case
    step = steps.begin(actor, case, "resume", client_id)
    checked = check_photos(photos)
    suspension = (
        case.suspensions.filter(status=RequestStatus.APPROVED, resumed_at__isnull=True)
        .order_by("-decided_at")
        .first()
    )
    now = primitives.now()
    started = suspension.decided_at if suspension else now
    try:
        paused_hours = calendar.working_seconds_between(started, now) / 3600
    except calendar.CalendarNotCovered:
        paused_hours = 0.0
    moved_deadlines = set()
    handling = primitives.terms(case.entry)["handling"]
    for assignment in case.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES):
        if assignment.due_at and paused_hours:
            basis = deadline_basis.paused(deadline_basis.of(assignment, handling), started, now)
            moved, _why = clock.deadline(assignment.due_at, paused_hours, "workhours")
            assignment.due_at = moved or assignment.due_at
            # the clock's start moves on too, so the paused time does not count as used
            start, _why = clock.deadline(assignment.clock_start, paused_hours, "workhours")
            assignment.clock_started_at = start or assignment.clock_start
            assignment.deadline_basis = basis
            assignment.due_provisional = clock.provisional(
                deadline_basis.start_of(basis) or assignment.clock_started_at, assignment.due_at
            )
            assignment.save(
                update_fields=["due_at", "clock_started_at", "deadline_basis", "due_provisional"]
            )
            moved_deadlines.add((assignment.clock_started_at, assignment.due_at))
            if assignment.role == AssignmentRole.LEAD:
                case.due_at = assignment.due_at
                case.due_provisional = assignment.due_provisional
    if suspension:
        suspension.resumed_at = now
        suspension.save(update_fields=["resumed_at"])
    case.state = case.suspended_from or State.IN_PROGRESS
    case.suspended_from = ""
    primitives.save(case, "state", "suspended_from", "due_at", "due_provisional")
    amber = primitives.terms(case.entry)["amber"]
    for start, due in moved_deadlines:
        clock.schedule_checks(case, start, due, amber)
    clock.refresh_deadline_status(case)
    step.record(note=note, data={"paused_work_hours": round(paused_hours, 2)}, photos=checked)
    return case
