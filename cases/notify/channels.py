"""The ways a message reaches people (R26.1, R27.1, R18.1).

Two kinds of channel, one interface each:

- :class:`InAppChannel`: the platform itself. A notification is addressed to an audience (an
  agency, a department, a grid's workers); ``send`` gives each active person of it a receipt,
  in the transaction of the change that notified, so the badge counts it at once and a
  rolled-back change notifies nobody. A few rows per notification, no background work.
- :class:`OutsideChannel`: anything that leaves the platform (SMS to residents; a deployment
  may add others with :func:`register`). A message is first a
  :class:`~cases.notify.models.Delivery` row with a unique key, written in the change's
  transaction; a background task sends it once the change has committed
  (:mod:`cases.notify.tasks`), retries it with a growing delay on a temporary failure, and
  records the outcome. The address is looked up only when sending (:meth:`address_for`).

The SMS channel sends through the backend named by the ``GRIDGOV_SMS_BACKEND`` setting (a dotted
path, like Django's ``EMAIL_BACKEND``; default: a backend that only logs; see
:mod:`cases.notify.sms` and docs/notifications.md for plugging in a gateway).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.apps import apps
from django.utils import timezone

from cases.notify import reporter, sms
from cases.notify.models import Delivery, NotificationReceipt
from gridgov.access import roles as R

# Who of an audience gets a notification of a kind (default: everyone of the audience).
# Warnings go to the department's head (R27.1): the one who answers for the unit.
DEPARTMENT_ROLES_BY_KIND: dict[str, frozenset[str]] = {"warning": frozenset({R.Role.DEPT_HEAD})}


class InAppChannel:
    """The notification centre: receipts for every person of the audience."""

    name = "in_app"

    def audience(self, notification: Any) -> set[int]:
        """The ids of the active accounts a notification is for (its agency's staff, its
        department's staff, its grid's workers), as of now."""
        RoleAssignment = apps.get_model("people", "RoleAssignment")
        GridAssignment = apps.get_model("people", "GridAssignment")
        users: set[int] = set()
        roles = RoleAssignment.objects.active(timezone.now()).filter(user__is_active=True)
        if notification.agency_code:
            users.update(
                roles.filter(
                    role__in=R.AGENCY_ROLES, region__code=notification.agency_code
                ).values_list("user_id", flat=True)
            )
        if notification.department_id:
            wanted = DEPARTMENT_ROLES_BY_KIND.get(notification.kind, R.DEPARTMENT_ROLES)
            users.update(
                roles.filter(role__in=wanted, department_id=notification.department_id).values_list(
                    "user_id", flat=True
                )
            )
        if notification.grid_code:
            users.update(
                GridAssignment.objects.active()
                .filter(
                    grid_code=notification.grid_code,
                    worker__status="active",
                    worker__user__is_active=True,
                )
                .values_list("worker__user_id", flat=True)
            )
        users.discard(None)
        return users

    def send(self, notification: Any) -> int:
        """Give each person of the audience a receipt (once: a second call adds none)."""
        receipts = [
            NotificationReceipt(notification=notification, user_id=user_id)
            for user_id in sorted(self.audience(notification))
        ]
        NotificationReceipt.objects.bulk_create(receipts, ignore_conflicts=True)
        return len(receipts)


in_app = InAppChannel()


@dataclass(frozen=True)
class Address:
    """Where an outside message goes: the clear value (used once, never stored) and the
    masked form the delivery log keeps."""

    value: str
    masked: str


class DeliveryError(Exception):
    """Sending failed. ``temporary``: worth trying again later (gateway down, timeout)."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


class OutsideChannel(ABC):
    """A channel that leaves the platform: each message is a stored, keyed delivery."""

    name: ClassVar[str]

    @abstractmethod
    def address_for(self, delivery: Delivery) -> Address | None:
        """The address to send to now, or None when there is none any more (no phone, no
        consent): the delivery is then skipped, not failed."""

    @abstractmethod
    def transmit(self, address: Address, delivery: Delivery) -> tuple[str, str]:
        """Send; return (the backend's dotted path, its reference for the message). Raise
        :class:`DeliveryError` on failure."""


class SmsChannel(OutsideChannel):
    """Text messages to a case's reporter (R18.1), through the configured SMS backend."""

    name = "sms"

    def address_for(self, delivery: Delivery) -> Address | None:
        if delivery.case is None:
            return None
        phone = reporter.reporter_phone_for_sms(delivery.case)
        if phone is None:
            return None
        return Address(phone, reporter.masked_phone(delivery.case))

    def transmit(self, address: Address, delivery: Delivery) -> tuple[str, str]:
        backend = sms.get_backend()
        try:
            reference = backend.send(address.value, delivery.message, key=delivery.key)
        except sms.SmsError as exc:
            raise DeliveryError(str(exc), temporary=exc.temporary) from exc
        return sms.backend_path(), str(reference or "")[:100]


_outside: dict[str, OutsideChannel] = {}


def register(channel: OutsideChannel) -> None:
    """Make an outside channel available to deliveries naming it (``channel.name``)."""
    _outside[channel.name] = channel


def outside(name: str) -> OutsideChannel | None:
    return _outside.get(name)


register(SmsChannel())
