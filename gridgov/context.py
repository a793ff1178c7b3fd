"""Who is acting, from where: request metadata that services stamp on audit records (R28.1).

Services never read the request; the middleware (or a management command) puts the request id,
client address and channel here, and :func:`audit.services.record` reads them.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActionContext:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    client_ip: str | None = None
    channel: str = "system"  # web, api, command, task, system


_current: contextvars.ContextVar[ActionContext | None] = contextvars.ContextVar(
    "gridgov_action_context", default=None
)


def current() -> ActionContext:
    ctx = _current.get()
    if ctx is None:
        ctx = ActionContext()
    return ctx


@contextmanager
def acting(
    *, channel: str, client_ip: str | None = None, request_id: str | None = None
) -> Iterator[ActionContext]:
    ctx = ActionContext(
        request_id=request_id or uuid.uuid4().hex, client_ip=client_ip, channel=channel
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
