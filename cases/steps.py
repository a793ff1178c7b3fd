"""Recording a step of a case (R26.2, R28.1), and what the modules that take steps share: the
case locked for the step, a phone's resend recognised, the step begun (:func:`begin`: the
machine's permission and the case as it was) and recorded (:meth:`Step.record`), a text the
step requires, the department's assignment found, the rework a failed check and a reopened
review both start.

Used by :mod:`cases.services`, :mod:`cases.reviews` and :mod:`cases.co_departments`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from audit import personal_data
from audit import services as audit
from audit.models import AuditRecord
from cases import archive, clock, deadline_basis, machine, primitives
from cases.actions import CaseAction
from cases.models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    Attachment,
    Case,
    CaseEvent,
    DeadlineStatus,
    State,
)
from cases.notify import progress
from cases.primitives import Actor
from cases.uploads import CheckedPhoto
from gridgov.access import scoping
from gridgov.errors import DomainError, NotFound
from people.models import User

M = TypeVar("M", bound=Model)

CASE_FIELDS = [
    "state",
    "level",
    "agency_code",
    "lead_department",
    "dispatch_due_at",
    "due_at",
    "deadline_status",
    "rating",
]  # what each step's audit record shows of the case, before and after (R28.1)


def user(actor: Actor) -> User | None:
    """The account acting, or None for a visitor without one or the system."""
    return actor if isinstance(actor, User) and actor.is_authenticated else None


# What the messages about a step's text fields call them ("请填写原因", not "请填写reason").
TEXT_LABELS: dict[str, Promise] = {
    "reason": pgettext_lazy("field label", "原因"),
    "note": pgettext_lazy("field label", "说明"),
    "description": pgettext_lazy("field label", "描述"),
    "answer": pgettext_lazy("field label", "答复"),
    "ruling": pgettext_lazy("field label", "裁定理由"),
    "comment": pgettext_lazy("field label", "评价意见"),
    "public_note": pgettext_lazy("field label", "公开说明"),
}


def label(field: str) -> str:
    """The name of a text field in a message: its label, else the field's name."""
    return str(TEXT_LABELS.get(field, field))


def required(value: str, field: str) -> str:
    """The rule that this step states its ``field`` (a decline its reason, R24.2; a return
    its reason, R24.4 …): 400 when blank. The serializer trimmed and bounded the text; this is
    the domain's rule, which holds for every caller (the demo, commands, tasks)."""
    if not value.strip():
        raise DomainError(
            _("请填写%(field)s") % {"field": label(field)}, field=field, code="required"
        )
    return value


def pk_of(value: Model | int) -> int:
    """The id of a record its caller gives as the record or by its id (the API and the pages
    give ids, code and the demo often the record)."""
    return value if isinstance(value, int) else value.pk


def locked_item(rows: QuerySet[M], value: Model | int, field: str, missing: str) -> M:
    """The case's request, supervision or assignment a step decides on, locked for its
    transaction; 400 on ``field`` with ``missing`` when the case has no such record."""
    item = rows.select_for_update().filter(pk=pk_of(value)).first()
    if item is None:
        raise DomainError(missing, field=field, code="not_found")
    return item


def lock(case_id: int) -> Case:
    """The case a step changes, locked for its transaction (404 for an unknown id)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("entry__item", "entry__lead_department", "lead_department")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(_("没有这个事件"))
    return case


def replayed(case: Case, action: str, client_id: str) -> bool:
    """True when this action with this client id is already on the record (a phone resend)."""
    return bool(client_id) and case.events.filter(action=action, data__client_id=client_id).exists()


@dataclass(frozen=True)
class Step:
    """A step being taken on a locked case: who takes it and why, and the case as it was
    before (its state and the audited fields), for the records the step ends with."""

    case: Case
    action: str
    actor: Actor
    authority: machine.Authority | None
    client_id: str
    from_state: str
    before: dict[str, Any]

    def record(
        self,
        *,
        note: str = "",
        data: dict[str, Any] | None = None,
        photos: Sequence[CheckedPhoto] = (),
        audit_before: bool = True,
    ) -> CaseEvent:
        """The step's archive event, attachments and audit record (:func:`record`); the
        event's data holds the client id (a resend is recognised by it). ``audit_before``:
        the audit record shows the case before the step (steps that only add a request or
        an answer show it after only)."""
        return record(
            self.case,
            action=self.action,
            actor=self.actor,
            authority=self.authority,
            from_state=self.from_state,
            note=note,
            data={"client_id": self.client_id, **(data or {})},
            photos=photos,
            before=self.before if audit_before else None,
        )


def begin(
    actor: Actor,
    case: Case,
    action: str,
    client_id: str,
    *,
    authority: machine.Authority | None = None,
) -> Step:
    """Start ``action`` on the locked ``case``: the machine's permission (403 or 400 for a
    wrong state, unless the caller holds an ``authority`` already) and the case as it is."""
    if authority is None:
        authority = machine.authorize(actor, case, action)
    before = audit.snapshot(case, CASE_FIELDS)
    return Step(case, action, actor, authority, client_id, case.state, before)


def record(case: Case, *, photos: Sequence[CheckedPhoto] = (), **step: Any) -> CaseEvent:
    """Store the archive event (R26.2), attachments and audit record (R28.1) of one step
    (``step``: the keyword arguments of :func:`step_rows`, passed on)."""
    event, entry = step_rows(case, photos=photos, **step)
    archive.store(event)
    uploader = user(step["actor"])
    for photo in photos:
        attachment = Attachment(
            case=case,
            event=event,
            original_name=photo.name,
            content_type=photo.content_type,
            extension=photo.extension,
            size=len(photo.content),
            sha256=photo.sha256,
            width=photo.width,
            height=photo.height,
            uploaded_by=uploader,
            uploaded_at=event.at,
            public=photo.public,
        )
        attachment.file.save(f"{photo.sha256}{photo.extension}", photo.as_file(), save=False)
        attachment.save()
    audit.store(entry)
    progress.after_step(case, step["action"], step["from_state"])
    return event


def step_rows(
    case: Case,
    *,
    action: str,
    actor: Actor,
    authority: machine.Authority | None,
    from_state: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    photos: Sequence[CheckedPhoto] = (),
    before: dict[str, Any] | None = None,
) -> tuple[CaseEvent, AuditRecord]:
    """The archive event and the audit record of one step, not yet stored; the case's head
    moves to the event in memory."""
    data = dict(data or {})
    if photos:
        data["attachments"] = [p.manifest() for p in photos]
    # Both records are kept for good: no number a person typed into a note is kept in clear.
    note = personal_data.mask_numbers_in_text(note)
    role = authority.role if authority is not None else scoping.acting_role(actor, None)
    event = archive.next_event(
        case,
        action=action,
        actor=actor,
        role=role,
        from_state=from_state,
        to_state=case.state,
        note=note,
        data=data,
        at=primitives.now(),
    )
    entry = audit.new_record(
        actor,
        CaseAction.of_step(action),
        case,
        before=before,
        after=audit.snapshot(case, CASE_FIELDS) | {"event": event.seq},
        region_code=case.grid_code,
        role=role,
        note=note[:500],
    )
    return event, entry


def my_assignment(
    case: Case, authority: machine.Authority | None, states: Iterable[str]
) -> Assignment:
    """The acting department's assignment of the case in one of ``states`` (R25.1)."""
    states = set(states)
    candidates = [a for a in case.assignments.all() if a.state in states]
    if authority is not None and authority.department_id is not None:
        candidates = [a for a in candidates if a.department_id == authority.department_id]
    if not candidates:
        raise DomainError(_("本部门没有处于该环节的派遣"), field="state", code="wrong_state")
    # the lead assignment first, so the system actor acts for the lead
    candidates.sort(key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))
    return candidates[0]


def rework(case: Case, now: dt.datetime) -> Assignment:
    """Send the case back to its lead department, which fed back, to handle it again with a
    fresh handling period: a failed check (R26.1) or an unsatisfied rating reopened on review
    (R27.1, cases.reviews). The case is locked by the caller, who records the step."""
    lead = case.assignments.filter(role=AssignmentRole.LEAD, state=AssignmentState.FED_BACK).first()
    if lead is None:
        raise DomainError(
            _("该事件没有已反馈的牵头部门,不能返工或重新办理"), field="state", code="no_lead"
        )
    # Rework gets a fresh handling period: the department must redo the work.
    handling = primitives.terms(case.entry)["handling"]
    due_at, _why = clock.deadline(now, *handling)
    lead.state = AssignmentState.SIGNED
    lead.due_at = due_at
    lead.clock_started_at = now
    lead.deadline_status = DeadlineStatus.NORMAL if due_at else DeadlineStatus.NONE
    lead.due_provisional = clock.provisional(now, due_at)
    lead.deadline_basis = deadline_basis.new(now, *handling)
    lead.save(
        update_fields=[
            "state",
            "due_at",
            "clock_started_at",
            "deadline_status",
            "due_provisional",
            "deadline_basis",
        ]
    )
    case.state = State.IN_PROGRESS
    case.rework_count += 1
    case.due_at = due_at
    case.due_provisional = lead.due_provisional
    case.deadline_status = lead.deadline_status
    primitives.save(case, "state", "rework_count", "due_at", "due_provisional", "deadline_status")
    clock.schedule_checks(case, now, due_at, primitives.terms(case.entry)["amber"])
    return lead
