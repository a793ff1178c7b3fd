"""Domain errors raised by services.

A service refuses bad input or a forbidden change by raising :class:`DomainError`; the API turns
it into HTTP 400 (or the status given), management commands print it as one line and exit
non-zero, web views show it as a message. Nothing is written when it is raised inside the
service's transaction.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    http_status = 400
    default_code = "invalid"  # the ``code`` when the raiser names none

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = self.default_code if code is None else code
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    http_status = 404
    default_code = "not_found"


class Forbidden(DomainError):
    http_status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    """A resend whose content differs from what is stored under its key (HTTP 409)."""

    http_status = 409
    default_code = "conflict"


class RateLimited(DomainError):
    """Too many of one action in a while: 429 with Retry-After (seconds) on the API."""

    http_status = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("extra", {"retry_after": retry_after})
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
