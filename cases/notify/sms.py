"""SMS backends (R18.1): how a text message leaves the platform.

The ``GRIDGOV_SMS_BACKEND`` setting names the backend class by its dotted path, like Django's
``EMAIL_BACKEND``. The platform ships two:

- :class:`LoggingSmsBackend` (the default): sends nothing, logs the masked number, the key and
  the text. A deployment without a gateway still has a complete delivery log.
- :class:`MemorySmsBackend`: keeps the messages in :data:`outbox` (tests, demos).

A deployment plugs in its own gateway (the operator's or the government SMS platform on the
isolated network) with a class of its own that subclasses :class:`BaseSmsBackend`; see
docs/notifications.md for a worked example. ``send`` gets the clear number, the text and the
message's unique key (pass it to the gateway as the client's message id where it supports one,
so a retry after a timeout is not sent twice) and returns the gateway's reference; it raises
:class:`SmsError` (``temporary=False`` for a refusal that retrying cannot fix).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from audit.personal_data import mask_mobile

log = logging.getLogger("gridgov.sms")

DEFAULT_BACKEND = "cases.notify.sms.LoggingSmsBackend"


class SmsError(Exception):
    """The gateway did not take the message. ``temporary``: try again later."""

    def __init__(self, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.temporary = temporary


class BaseSmsBackend:
    """The interface of an SMS backend. Instantiated once per delivery attempt."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, phone: str, text: str, *, key: str) -> str:
        """Send ``text`` to ``phone`` (11-digit mainland mobile); return the gateway's
        reference for the message."""
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    """Sends nothing: logs the masked number, never the clear one."""

    def send(self, phone: str, text: str, *, key: str) -> str:
        log.info("SMS %s to %s: %s", key, mask_mobile(phone), text)
        return f"logged:{key}"


outbox: list[dict[str, str]] = []


class MemorySmsBackend(BaseSmsBackend):
    """Keeps each message in :data:`outbox` (for tests; empty it with ``outbox.clear()``)."""

    def send(self, phone: str, text: str, *, key: str) -> str:
        outbox.append({"phone": phone, "text": text, "key": key})
        return f"memory:{len(outbox)}"


def backend_path() -> str:
    return getattr(settings, "GRIDGOV_SMS_BACKEND", "") or DEFAULT_BACKEND


def get_backend() -> BaseSmsBackend:
    """A new instance of the configured backend (``GRIDGOV_SMS_BACKEND_OPTIONS`` as keyword
    arguments)."""
    cls = import_string(backend_path())
    return cls(**(getattr(settings, "GRIDGOV_SMS_BACKEND_OPTIONS", None) or {}))
