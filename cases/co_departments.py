"""Co-departments' parts of a case (R25.1): the agency ends one that cannot or need not go on.

A case dispatched to a lead and co-departments closes only when every co-department has fed
back its part or returned it, or the agency has ended that part here with a reason
(:func:`cases.machine.require_closable`). An ended assignment's deadline stops: it is never
counted late toward a warning (R27.1, :func:`cases.services.supervision.issue_warnings`).

Built from the step helpers of :mod:`cases.steps` (one transaction, the machine's
permission, an archive event and an audit record, idempotent by ``client_id``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases import primitives, steps
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Case,
    DeadlineStatus,
    Notification,
)
from cases.primitives import Actor
from gridgov.errors import DomainError


@transaction.atomic
def end_assignment(
    actor: Actor, case_id: int, *, assignment: Assignment | int, reason: str, client_id: str = ""
) -> Case:
    """终止协办: the agency holding the case ends a co-department's open assignment with a
    reason (R25.1). The department is told; the case's state does not change."""
    case = steps.lock(case_id)
    if steps.replayed(case, "end_assignment", client_id):
        return case
    step = steps.begin(actor, case, "end_assignment", client_id)
    reason = steps.required(reason, "reason")
    assignments = case.assignments.select_related("department")
    item = steps.locked_item(assignments, assignment, "assignment", _("该事件没有这个派遣"))
    if item.role != AssignmentRole.CO:
        raise DomainError(
            _("牵头部门的派遣不能终止:请由牵头部门退回后改派"),
            field="assignment",
            code="lead_assignment",
        )
    if item.state not in ACTIVE_ASSIGNMENT_STATES:
        raise DomainError(
            _("%(dept)s 的协办已是“%(state)s”,无需终止")
            % {"dept": item.department.name, "state": item.get_state_display()},
            field="assignment",
            code="not_open",
        )
    item.state = AssignmentState.ENDED
    item.end_reason = reason
    item.ended_at = primitives.now()
    item.ended_by = steps.user(actor)
    item.deadline_status = DeadlineStatus.NONE
    item.was_late = False
    item.save(
        update_fields=["state", "end_reason", "ended_at", "ended_by", "deadline_status", "was_late"]
    )
    step.record(note=reason, data={"assignment": item.pk, "department": item.department_id})
    primitives.notify(
        Notification.Kind.ENDED,
        f"ended:{item.pk}",
        _("事件 %(code)s 的协办已由网格化机构终止:%(reason)s")
        % {"code": case.tracking_code, "reason": reason[:80]},
        case=case,
        department=item.department,
    )
    return case
