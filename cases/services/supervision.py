"""Supervision (R27.1): urging a department (督办), its answer, and warnings to late departments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from cases import machine, primitives, steps
from cases.actions import CaseAction
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Notification,
    Supervision,
    Warning,
)
from cases.primitives import Actor
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden
from people.models import Department


@transaction.atomic
def supervise(
    actor: Actor,
    case_id: int,
    *,
    note: str,
    department: Department | int | None = None,
    client_id: str = "",
) -> Supervision:
    """督办: a supervisor urges a department (the lead by default); it must answer."""
    case = steps.lock(case_id)
    if (
        client_id
        and (
            done := Supervision.objects.filter(
                case=case, by=steps.user(actor), note=note.strip()
            ).first()
        )
        and steps.replayed(case, "supervise", client_id)
    ):
        return done
    step = steps.begin(actor, case, "supervise", client_id)
    note = steps.required(note, "note")
    assignments = [
        a
        for a in case.assignments.all()
        if a.state
        not in (AssignmentState.WITHDRAWN, AssignmentState.RETURNED, AssignmentState.ENDED)
    ]
    if department is not None:
        department_id = steps.pk_of(department)
        assignments = [a for a in assignments if a.department_id == department_id]
    else:
        assignments.sort(key=lambda a: (a.role != AssignmentRole.LEAD, -a.pk))
    if not assignments:
        raise DomainError(_("该部门没有这个事件的派遣"), field="department")
    assignment = assignments[0]
    supervision = Supervision.objects.create(
        case=case, assignment=assignment, note=note, by=steps.user(actor), at=primitives.now()
    )
    step.record(
        note=note,
        data={
            "supervision": supervision.pk,
            "department": assignment.department_id,
        },
        audit_before=False,
    )
    primitives.notify(
        Notification.Kind.SUPERVISION,
        f"supervision:{supervision.pk}",
        _("督办事件 %(code)s:%(note)s") % {"code": case.tracking_code, "note": note[:80]},
        case=case,
        department=assignment.department,
    )
    return supervision


@transaction.atomic
def answer_supervision(
    actor: Actor, case_id: int, *, supervision: Supervision | int, answer: str, client_id: str = ""
) -> Supervision:
    """The urged department answers; both the urging and the answer stay on the record."""
    case = steps.lock(case_id)
    step = steps.begin(actor, case, "answer", client_id)
    supervisions = case.supervisions.select_related("assignment")
    item = steps.locked_item(supervisions, supervision, "supervision", _("没有这个督办"))
    department_id = step.authority.department_id if step.authority else None
    if department_id is not None and item.assignment.department_id != department_id:
        raise Forbidden(_("这条督办不是针对本部门的"))
    if item.answered_at is not None:
        if steps.replayed(case, "answer", client_id):
            return item
        raise DomainError(_("该督办已答复"), field="supervision", code="answered")
    item.answer = steps.required(answer, "answer")
    item.answered_by = steps.user(actor)
    item.answered_at = primitives.now()
    item.save(update_fields=["answer", "answered_by", "answered_at"])
    step.record(note=item.answer, data={"supervision": item.pk}, audit_before=False)
    return item


@transaction.atomic
def issue_warnings(
    actor: Actor,
    *,
    region_code: str,
    period_start: dt.date,
    period_end: dt.date,
    threshold: int = 3,
) -> list[Warning]:
    """警示 to departments under ``region_code`` late on at least ``threshold`` assignments in
    the period (R27.1). Issuing twice for the same period warns nobody twice."""
    grant = scoping.require(
        actor, machine.SUPERVISING_ROLES, region_code=region_code, what=_("发出警示")
    )
    if period_end < period_start:
        raise DomainError(_("结束日期早于开始日期"), field="period_end")
    if threshold < 1:
        raise DomainError(_("阈值须为正整数"), field="threshold")
    start = timezone.make_aware(dt.datetime.combine(period_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period_end, dt.time.max))
    late = (
        Assignment.objects.filter(
            department__region__code__startswith=region_code,
            due_at__gte=start,
            due_at__lte=end,
        )
        .filter(
            Q(was_late=True) | Q(state__in=ACTIVE_ASSIGNMENT_STATES, due_at__lt=primitives.now())
        )
        # an assignment the agency ended is never late (R27.1)
        .exclude(state=AssignmentState.ENDED)
        .values("department")
        .annotate(n=Count("pk"))
        .filter(n__gte=threshold)
    )
    issued = []
    for row in late:
        warning, created = Warning.objects.get_or_create(
            department_id=row["department"],
            period_start=period_start,
            period_end=period_end,
            defaults={
                "region_code": region_code,
                "late_count": row["n"],
                "issued_by": steps.user(actor),
                "reason": _("%(start)s 至 %(end)s 超期办理 %(n)s 件")
                % {"start": period_start, "end": period_end, "n": row["n"]},
            },
        )
        if created:
            issued.append(warning)
            audit.record(
                actor,
                CaseAction.WARNING,
                warning,
                after={"late_count": row["n"]},
                region_code=region_code,
                role=scoping.acting_role(actor, grant),
            )
            primitives.notify(
                Notification.Kind.WARNING,
                f"warning:{warning.pk}",
                warning.reason,
                department=warning.department,
            )
    return issued
