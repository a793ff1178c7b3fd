"""What a step of a case tells people besides its own notifications (R24.1, R26.1, R18.1).

:func:`after_step` runs for every archived step of a case (:func:`cases.steps.record`), in the
step's transaction:

- a resident's or hotline report waiting for verification on site notifies the grid's workers
  (R24.1 收集核实); a case whose lead department fed back notifies them to check it on site
  (R26.1 核查);
- a reporter who gave a mobile phone and agreed to progress messages (``Case.progress_sms``,
  asked on the portal) gets an SMS when the case is accepted, dispatched, handled and closed,
  the last one asking for a rating (R18.1: residents follow their report). Each message is a
  :class:`~cases.notify.models.Delivery` with a key per case and step, so a step taken again
  (re-dispatch, rework) or a resend never sends twice; a background task sends it after the
  step commits (:mod:`cases.notify.tasks`).

The reporter's phone stays encrypted on the case; :mod:`cases.notify.reporter` is the one
system-side place that decrypts it, for the SMS channel only.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import primitives
from cases.models import Case, Channel, Notification, State
from cases.notify import reporter, tasks
from cases.notify.models import Delivery

SMS_CHANNEL = "sms"


def after_step(case: Case, action: str, from_state: str) -> None:
    """Notify the grid's workers and queue the reporter's progress SMS for this step."""
    if case.state == from_state:
        return  # a co-department's step, an answer, an extension: nothing new for them
    if case.state == State.REPORTED:
        _notify_grid(
            case,
            Notification.Kind.VERIFY,
            f"verify:{case.pk}",
            _("%(channel)s事件 %(code)s 待核实:%(text)s")
            % {
                "channel": Channel(case.channel).label,
                "code": case.tracking_code,
                "text": case.description[:60],
            },
        )
    elif case.state == State.HANDLED:
        _notify_grid(
            case,
            Notification.Kind.CHECK,
            f"check:{case.pk}:{case.rework_count}",
            _("事件 %(code)s 已反馈办理结果,待核查结案") % {"code": case.tracking_code},
        )
    if case.state in RESIDENT_STEPS and reporter.wants_progress_sms(case):
        queue_progress_sms(case, case.state)


def _notify_grid(case: Case, kind: str, key: str, message: str) -> None:
    primitives.notify(kind, key, message, case=case, grid_code=case.grid_code)


# --- the reporter's progress messages (R18.1) ----------------------------------------------------

RESIDENT_STEPS = (State.ACCEPTED, State.DISPATCHED, State.HANDLED, State.CLOSED)


def _track_url(case: Case) -> str:
    base = (settings.GRIDGOV.get("PUBLIC_URL") or "").rstrip("/")
    if not base:
        return ""
    return base + reverse("public-track-case", args=[case.tracking_code])


def progress_text(case: Case, step: str) -> str:
    """The SMS for a step, in the platform's language (a message to a resident does not
    follow the language of the staff member who took the step)."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {"code": case.tracking_code}
        if step == State.ACCEPTED:
            return _("【智慧网格】您反映的问题已受理(查询码 %(code)s),正在安排办理。") % values
        if step == State.DISPATCHED:
            return _("【智慧网格】您反映的问题(查询码 %(code)s)已派遣给责任部门办理。") % values
        if step == State.HANDLED:
            return _("【智慧网格】您反映的问题(查询码 %(code)s)已办理,正在核查结果。") % values
        url = _track_url(case)
        if url:
            return _(
                "【智慧网格】您反映的问题(查询码 %(code)s)已办结。请查看办理结果并评价:%(url)s"
            ) % {**values, "url": url}
        return (
            _("【智慧网格】您反映的问题(查询码 %(code)s)已办结。请凭查询码查看办理结果并评价。")
            % values
        )


def queue_progress_sms(case: Case, step: str) -> Delivery | None:
    """Store the step's SMS once (keyed by case and step) and have it sent after commit."""
    delivery, created = Delivery.objects.get_or_create(
        key=f"sms:progress:{case.pk}:{step}",
        defaults={
            "channel": SMS_CHANNEL,
            "case": case,
            "region_code": case.grid_code,
            "recipient_masked": case.reporter_phone_masked,
            "message": progress_text(case, step)[:300],
            "next_attempt_at": timezone.now(),
        },
    )
    if not created:
        return None
    tasks.send_after_commit(delivery.pk)
    return delivery
