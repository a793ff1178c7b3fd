"""Checking the result, closing and the reporter's rating (R26.1, R27.1)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases import machine, primitives, reviews, steps
from cases.inputs import Photos
from cases.models import (
    Case,
    DeadlineStatus,
    Rating,
    State,
)
from cases.primitives import Actor
from cases.uploads import check_photos
from gridgov.errors import DomainError, Forbidden


@transaction.atomic
def check(
    actor: Actor,
    case_id: int,
    *,
    passed: bool,
    note: str = "",
    photos: Photos = (),
    client_id: str = "",
) -> Case:
    """核查: the agency (or the grid worker on site) checks the result; pass closes the case,
    fail sends it back to the lead department for rework with the reasons."""
    case = steps.lock(case_id)
    if steps.replayed(case, "check", client_id):
        return case
    step = steps.begin(actor, case, "check", client_id)
    checked = check_photos(photos)
    now = primitives.now()
    if passed:
        machine.require_closable(case)  # every co-department done or ended (R25.1)
        case.state = State.CLOSED
        case.closed_at = now
        case.deadline_status = DeadlineStatus.NONE
        primitives.save(case, "state", "closed_at", "deadline_status")
    else:
        note = steps.required(note, "note")  # a failed check says what is still wrong
        steps.rework(case, now)
    step.record(note=note, data={"passed": bool(passed)}, photos=checked)
    return case


@transaction.atomic
def evaluate(
    actor: Actor,
    case_id: int,
    *,
    rating: str,
    comment: str = "",
    client_id: str = "",
    tracking_code: str | None = None,
) -> Case:
    """The reporter rates the result (R18.1, R27.1). A resident who reported without an
    account rates through the case's tracking code. An unsatisfied rating opens a review by
    the agency (:mod:`cases.reviews`)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "evaluate", client_id):
        return case
    if tracking_code is not None:
        if tracking_code != case.tracking_code or case.reporter_id is not None:
            raise Forbidden(_("查询码不符"))
        if case.state != State.CLOSED:
            raise DomainError(_("事件尚未结案,不能评价"), field="state", code="wrong_state")
        reporter = machine.Authority(machine.REPORTER, None)
        step = steps.begin(actor, case, "evaluate", client_id, authority=reporter)
    else:
        step = steps.begin(actor, case, "evaluate", client_id)
    case.state = State.EVALUATED
    case.rating = rating
    case.rating_comment = comment
    case.evaluated_at = primitives.now()
    primitives.save(case, "state", "rating", "rating_comment", "evaluated_at")
    step.record(note=case.rating_comment, data={"rating": rating})
    if rating == Rating.UNSATISFIED:
        reviews.open_review(case)
    return case
