"""复核: an "unsatisfied" rating is reviewed by the agency holding the case (R18.1, R27.1).

Rating a case unsatisfied (:func:`cases.services.closing.evaluate`) opens a :class:`Review` and puts
the case in the agency's "to review" queue (``Case.review_pending``, counted with the other
queues in one query: :mod:`cases.worklists`), and tells the agency. The agency then either

- **reopens** it: the lead department handles it again with a fresh handling period (as after
  a failed check); the case goes back to ``in_progress``, its rating is cleared and the
  reporter rates again once it is closed again; the department is told why; or
- **confirms** the result: the case stays evaluated with the reporter's rating.

Both need a reason; both are archived (R26.2) and audited (R28.1), idempotent by
``client_id``. The state machine (:mod:`cases.machine`, action ``review``) says who may review
and when.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cases import primitives, steps
from cases.models import Case, Notification, Review
from cases.primitives import Actor
from gridgov.errors import DomainError


def open_review(case: Case) -> Review:
    """Open the review of the rating just given (inside :func:`cases.services.closing.evaluate`'s
    transaction, the case locked) and tell the agency holding the case."""
    review = Review.objects.create(
        case=case, rating=case.rating, comment=case.rating_comment, opened_at=primitives.now()
    )
    case.review_pending = True
    primitives.save(case, "review_pending")
    primitives.notify(
        Notification.Kind.REVIEW,
        f"review:{review.pk}:agency",
        _("事件 %(code)s 评价不满意,待复核:%(comment)s")
        % {"code": case.tracking_code, "comment": case.rating_comment[:80]},
        case=case,
        agency_code=case.agency_code,
    )
    return review


@transaction.atomic
def review(actor: Actor, case_id: int, *, reopen: bool, reason: str, client_id: str = "") -> Case:
    """复核评价: reopen the case for the lead department or confirm its result (R27.1)."""
    case = steps.lock(case_id)
    if steps.replayed(case, "review", client_id):
        return case
    step = steps.begin(actor, case, "review", client_id)
    pending = case.reviews.select_for_update().filter(status=Review.Status.PENDING).first()
    if not case.review_pending or pending is None:
        raise DomainError(_("该事件没有待复核的评价"), field="state", code="no_review")
    reason = steps.required(reason, "reason")
    now = primitives.now()
    lead = None
    if reopen:
        lead = steps.rework(case, now)
        case.rating, case.rating_comment, case.evaluated_at = "", "", None
    case.review_pending = False
    primitives.save(case, "review_pending", "rating", "rating_comment", "evaluated_at")
    pending.status = Review.Status.REOPENED if reopen else Review.Status.CONFIRMED
    pending.reason = reason
    pending.decided_by = steps.user(actor)
    pending.decided_at = now
    pending.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    step.record(
        note=reason,
        data={
            "review": pending.pk,
            "decision": pending.status,
            "rating": pending.rating,
        },
    )
    if lead is not None:
        primitives.notify(
            Notification.Kind.REVIEW,
            f"review:{pending.pk}:reopened",
            _("事件 %(code)s 群众评价不满意,经复核重新办理:%(reason)s")
            % {"code": case.tracking_code, "reason": reason[:80]},
            case=case,
            department=lead.department,
        )
    return case
