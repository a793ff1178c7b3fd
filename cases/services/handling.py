"""The departments a case is dispatched to (R24.3, R24.4, R25.1): sign, return, feedback."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases import primitives, results, steps
from cases.inputs import Photos
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Case,
    DeadlineStatus,
    Notification,
    State,
)
from cases.primitives import Actor
from cases.uploads import MAX_PHOTOS, check_photos
from gridgov.errors import DomainError


def _part(assignment: Assignment) -> dict[str, object]:
    """Which department's part a step concerns, on its archive event."""
    return {"department": assignment.department_id, "role": assignment.role}


@transaction.atomic
def sign(
    actor: Actor, case_id: int, *, note: str = "", photos: Photos = (), client_id: str = ""
) -> Case:
    """签收: the department takes the assignment; the lead's signature starts handling."""
    case = steps.lock(case_id)
    if steps.replayed(case, "sign", client_id):
        return case
    step = steps.begin(actor, case, "sign", client_id)
    checked = check_photos(photos)
    assignment = steps.my_assignment(case, step.authority, [AssignmentState.DISPATCHED])
    assignment.state = AssignmentState.SIGNED
    assignment.signed_at = primitives.now()
    assignment.signed_by = steps.user(actor)
    assignment.save(update_fields=["state", "signed_at", "signed_by"])
    if assignment.role == AssignmentRole.LEAD and case.state == State.DISPATCHED:
        case.state = State.IN_PROGRESS
        primitives.save(case, "state")
    step.record(note=note, data=_part(assignment), photos=checked)
    return case


@transaction.atomic
def return_case(actor: Actor, case_id: int, *, reason: str, client_id: str = "") -> Case:
    """退回: a department that holds a matter outside its duties reports back with reasons
    (R24.4). The lead's return sends the case back to the agency; a co-department's return
    only ends its own part. Returns are counted per department for assessment."""
    case = steps.lock(case_id)
    if steps.replayed(case, "return", client_id):
        return case
    step = steps.begin(actor, case, "return", client_id)
    reason = steps.required(reason, "reason")
    assignment = steps.my_assignment(case, step.authority, ACTIVE_ASSIGNMENT_STATES)
    now = primitives.now()
    assignment.state = AssignmentState.RETURNED
    assignment.return_reason = reason
    assignment.returned_at = now
    assignment.save(update_fields=["state", "return_reason", "returned_at"])
    case.return_count += 1
    fields = ["return_count"]
    if assignment.role == AssignmentRole.LEAD:
        case.state = State.RETURNED
        case.due_at = None
        case.due_provisional = False
        case.deadline_status = DeadlineStatus.NONE
        fields += ["state", "due_at", "due_provisional", "deadline_status"]
    primitives.save(case, *fields)
    step.record(note=reason, data=_part(assignment))
    primitives.notify(
        Notification.Kind.RETURNED,
        f"returned:{case.pk}:{assignment.pk}",
        _("%(dept)s 退回事件 %(code)s:%(reason)s")
        % {"dept": assignment.department.name, "code": case.tracking_code, "reason": reason[:80]},
        case=case,
        agency_code=case.agency_code,
    )
    return case


@transaction.atomic
def feedback(
    actor: Actor,
    case_id: int,
    *,
    note: str,
    photos: Photos = (),
    public_note: str = "",
    public_photos: Photos = (),
    client_id: str = "",
) -> Case:
    """反馈: a department reports its result; the lead department's feedback, for the whole
    case (R25.1), sends it to the agency to check (R24.3). ``note`` and ``photos`` are for
    the agency; ``public_note`` and ``public_photos`` are what the reporter sees on the
    tracking page before rating (R18.1): no personal data (:mod:`cases.results`)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "feedback", client_id):
        return case
    step = steps.begin(actor, case, "feedback", client_id)
    note = steps.required(note, "note")
    public_note = results.clean_public_note(public_note)
    if len(photos) + len(public_photos) > MAX_PHOTOS:  # one step's photos together
        raise DomainError(
            _("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS}, field="public_photos", code="too_many"
        )
    checked = check_photos(photos)
    checked += check_photos(public_photos, field="public_photos", public=True)
    assignment = steps.my_assignment(case, step.authority, [AssignmentState.SIGNED])
    now = primitives.now()
    assignment.state = AssignmentState.FED_BACK
    assignment.feedback = note
    assignment.public_result = public_note
    assignment.fed_back_at = now
    assignment.fed_back_by = steps.user(actor)
    assignment.was_late = bool(assignment.due_at and now > assignment.due_at)
    assignment.save(
        update_fields=[
            "state",
            "feedback",
            "public_result",
            "fed_back_at",
            "fed_back_by",
            "was_late",
        ]
    )
    if assignment.role == AssignmentRole.LEAD:
        case.state = State.HANDLED
        case.handled_at = now
        primitives.save(case, "state", "handled_at")
    step.record(
        note=note,
        data={
            **_part(assignment),
            "late": assignment.was_late,
            **({"public_note": public_note} if public_note else {}),
        },
        photos=checked,
    )
    return case
