"""Sending outside messages (SMS) as background tasks, through the Django Tasks API (R18.1).

A delivery is stored in the transaction of the step that calls for it; once that commits, a
:func:`send_delivery` job is enqueued (the database backend's worker or RQ, as configured).
The job locks the delivery, sends it through its channel unless it is no longer pending (a
job that runs twice sends once), and records the outcome. A temporary failure is tried again
with a growing delay (:data:`RETRY_DELAYS`), up to :data:`MAX_ATTEMPTS`; then the delivery is
failed, and the log shows the last error. A job that could not be enqueued (Redis down) or
was lost is made up for by ``manage.py send_deliveries``, which sends every pending delivery
that is due (run it from cron beside ``sweep_deadlines``).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends

from cases.notify import channels
from cases.notify.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@task()
def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is still pending and due (idempotent)."""
    return deliver(delivery_id)


def send_after_commit(delivery_id: int, run_after: dt.datetime | None = None) -> None:
    """Enqueue the delivery's job once the current transaction commits (never for a change
    rolled back). A backend that refuses is logged: the delivery waits for the sweep."""

    def enqueue() -> None:
        try:
            if run_after is None:
                send_delivery.enqueue(delivery_id)
            elif task_backends[send_delivery.backend].supports_defer:
                send_delivery.using(run_after=run_after).enqueue(delivery_id)
            # else (the in-process backend of development): the sweep sends it when due
        except Exception:
            log.exception("could not enqueue delivery %s", delivery_id)

    transaction.on_commit(enqueue, robust=True)


def deliver(delivery_id: int, now: dt.datetime | None = None) -> str:
    """Send the delivery now; return its status afterwards ("not_due" for an early job)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "missing"
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return "not_due"
        _attempt(delivery, now)
        delivery.save()
        return delivery.status


def _attempt(delivery: Delivery, now: dt.datetime) -> None:
    channel = channels.outside(delivery.channel)
    if channel is None:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = f"no channel {delivery.channel!r}"
        return
    address = channel.address_for(delivery)
    if address is None:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.last_error = "no address or no consent"
        return
    delivery.attempts += 1
    delivery.recipient_masked = address.masked
    try:
        delivery.backend, delivery.provider_ref = channel.transmit(address, delivery)
    except channels.DeliveryError as exc:
        delivery.last_error = str(exc)[:300]
        if exc.temporary and delivery.attempts < MAX_ATTEMPTS:
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            send_after_commit(delivery.pk, run_after=delivery.next_attempt_at)
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        return
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = now
    delivery.next_attempt_at = None
    delivery.last_error = ""


def send_due(now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send every pending delivery that is due (the sweep behind lost or refused jobs)."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcome: dict[str, int] = {}
    for pk in due:
        status = deliver(pk, now)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome
