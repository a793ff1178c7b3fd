"""The agency holding a case (R24.2, R24.4, R25.1): accept, decline, escalate, dispatch."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from audit import personal_data
from cases import clock, deadline_basis, primitives, steps
from cases.inputs import Photos
from cases.models import (
    LEVEL_CODE_LENGTH,
    NEXT_LEVEL,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Case,
    DeadlineStatus,
    DutyRuling,
    Level,
    Notification,
    State,
)
from cases.primitives import Actor
from cases.uploads import check_photos
from gridgov.errors import DomainError
from people.models import Department


@transaction.atomic
def accept(
    actor: Actor, case_id: int, *, note: str = "", photos: Photos = (), client_id: str = ""
) -> Case:
    """立案: the agency holding the case takes it on (R24.2)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "accept", client_id):
        return case
    step = steps.begin(actor, case, "accept", client_id)
    checked = check_photos(photos)
    case.state = State.ACCEPTED
    case.accepted_at = primitives.now()
    primitives.save(case, "state", "accepted_at")
    step.record(note=note, photos=checked)
    return case


@transaction.atomic
def decline(actor: Actor, case_id: int, *, reason: str, client_id: str = "") -> Case:
    """Not a grid matter, or not a real problem: declined with the reason (R24.2)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "decline", client_id):
        return case
    step = steps.begin(actor, case, "decline", client_id)
    reason = steps.required(reason, "reason")
    case.state = State.DECLINED
    case.decline_reason = reason
    case.closed_at = primitives.now()
    case.deadline_status = DeadlineStatus.NONE
    primitives.save(case, "state", "decline_reason", "closed_at", "deadline_status")
    step.record(note=reason)
    return case


@transaction.atomic
def escalate(actor: Actor, case_id: int, *, reason: str, client_id: str = "") -> Case:
    """Beyond this agency's power: township → county → city (R24.2)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "escalate", client_id):
        return case
    step = steps.begin(actor, case, "escalate", client_id)
    if case.level not in NEXT_LEVEL:
        raise DomainError(_("市级网格化机构已是最高层级"), field="level", code="top_level")
    reason = steps.required(reason, "reason")
    case.level = NEXT_LEVEL[Level(case.level)]
    case.agency_code = case.grid_code[: LEVEL_CODE_LENGTH[case.level]]
    primitives.save(case, "level", "agency_code")
    step.record(note=reason, data={"from_level": step.before["level"], "to_level": case.level})
    primitives.notify(
        Notification.Kind.DISPATCHED,
        f"escalated:{case.pk}:{case.level}",
        _("下级机构上报事件 %(code)s:%(reason)s")
        % {"code": case.tracking_code, "reason": reason[:80]},
        case=case,
        agency_code=case.agency_code,
    )
    return case


def _department(value: Department | int, case: Case, field: str) -> Department:
    pk = steps.pk_of(value)
    try:
        department = Department.objects.select_related("region").get(pk=pk, is_active=True)
    except Department.DoesNotExist:
        raise DomainError(_("没有这个部门:%(value)s") % {"value": value}, field=field) from None
    if not case.grid_code.startswith(department.region.code):
        raise DomainError(
            _("%(dept)s 不管辖该事件所在地") % {"dept": department.name},
            field=field,
            code="outside_department",
        )
    return department


@transaction.atomic
def dispatch(
    actor: Actor,
    case_id: int,
    *,
    lead_department: Department | int | None = None,
    co_departments: Iterable[Department | int] | None = None,
    note: str = "",
    ruling: str = "",
    client_id: str = "",
) -> Case:
    """派遣 to the lead department and co-departments, each assignment with its own deadline
    from the entry's handling limit (R24.2, R25.1). The admission entry suggests the
    departments; the dispatcher may change them.

    After a return (R24.4) this re-dispatches; sending the case back to the department that
    returned it overrules the return and needs the ruling's reason (a duty dispute settled by
    the agency: who decided and why is recorded).
    """
    case = steps.lock(case_id)
    if steps.replayed(case, "dispatch", client_id):
        return case
    step = steps.begin(actor, case, "dispatch", client_id)
    terms = primitives.terms(case.entry)
    lead = _department(lead_department or terms["lead"], case, "lead_department")
    # None: the entry's suggestion; an empty list: no co-department at all.
    co_values = [d.pk for d in terms["co"]] if co_departments is None else list(co_departments)
    co = [_department(v, case, "co_departments") for v in co_values]
    co = [d for d in dict.fromkeys(co) if d.pk != lead.pk]
    now = primitives.now()

    returned = None
    if step.from_state == State.RETURNED:
        returned = (
            case.assignments.filter(role=AssignmentRole.LEAD, state=AssignmentState.RETURNED)
            .order_by("-returned_at", "-pk")
            .first()
        )
        if returned is not None:
            overruled = returned.department_id == lead.pk
            if overruled and not ruling:
                raise DomainError(
                    _("再次派给退回的部门须写明裁定理由(职责争议,R24.4)"),
                    field="ruling",
                    code="ruling_required",
                )
            DutyRuling.objects.create(
                case=case,
                returned_assignment=returned,
                responsible_department=lead,
                upheld_return=not overruled,
                decided_at=now,
                reason=ruling or _("退回理由成立,改派 %(dept)s") % {"dept": lead.name},
                decided_by=steps.user(actor),
            )

    due_at, why = clock.deadline(now, *terms["handling"])
    due_provisional = clock.provisional(now, due_at)
    live = {a.department_id: a for a in case.assignments.all() if a.is_active}
    wanted = {lead.pk: AssignmentRole.LEAD, **{d.pk: AssignmentRole.CO for d in co}}
    for department_id, assignment in live.items():
        if wanted.get(department_id) != assignment.role:
            assignment.state = AssignmentState.WITHDRAWN
            assignment.save(update_fields=["state"])
    for department in [lead, *co]:
        existing = live.get(department.pk)
        if existing is not None and existing.role == wanted[department.pk]:
            continue
        Assignment.objects.create(
            case=case,
            department=department,
            role=wanted[department.pk],
            dispatched_at=now,
            clock_started_at=now,
            dispatched_by=steps.user(actor),
            due_at=due_at,
            original_due_at=due_at,
            deadline_status=DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE,
            due_provisional=due_provisional,
            deadline_basis=deadline_basis.new(now, *terms["handling"]),
        )
        primitives.notify(
            Notification.Kind.DISPATCHED,
            f"dispatched:{case.pk}:{department.pk}:{now:%s%f}",
            _("新派遣事件 %(code)s") % {"code": case.tracking_code},
            case=case,
            department=department,
        )
    case.state = State.DISPATCHED
    case.lead_department = lead
    case.dispatched_at = now
    case.due_at = due_at
    case.due_provisional = due_provisional
    case.deadline_status = DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE
    primitives.save(
        case,
        "state",
        "lead_department",
        "dispatched_at",
        "due_at",
        "due_provisional",
        "deadline_status",
    )
    clock.schedule_checks(case, now, due_at, terms["amber"])
    step.record(
        note=note or ruling,
        data={
            "lead_department": lead.pk,
            "co_departments": [d.pk for d in co],
            "due_at": due_at.isoformat() if due_at else None,
            "calendar": why or None,
            "ruling": personal_data.mask_numbers_in_text(ruling) or None,  # kept for good, as notes
            "returned_by": returned.department_id if returned else None,
        },
    )
    return case
