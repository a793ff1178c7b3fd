"""Generation tokens, read once per request.

Per-process caches (the grid index, the working-day calendar, the lists in force, tokens and
grants) stay valid while a generation token in the shared cache (Redis in production) is
unchanged; whoever changes the data replaces the token. Every request checks several of them,
often the same one several times (a deadline computation asks for the calendar's at each step).
Within a request, :func:`get` fetches all registered tokens in one round trip on first use and
answers from that for the rest of the request: one consistent view per request, as if the
request had run at that moment. Outside a request (commands, tasks, tests calling services)
every call reads the cache. A process that changes data calls :func:`forget` with the
token's key, so that it sees its own change at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

_keys: list[str] = []
_seen: ContextVar[dict[str, Any] | None] = ContextVar("gridgov_generations", default=None)


def register(key: str) -> str:
    """Declare a generation key (read with the others on a request's first use)."""
    if key not in _keys:
        _keys.append(key)
    return key


def get(key: str) -> Any:
    """The token under ``key`` (None when absent), as first seen in this request."""
    seen = _seen.get()
    if seen is None:
        return cache.get(key)
    if key not in seen:
        missing = [k for k in dict.fromkeys([key, *_keys]) if k not in seen]
        found = cache.get_many(missing)
        for k in missing:
            seen[k] = found.get(k)
    return seen[key]


def forget(key: str) -> None:
    """Read ``key`` afresh next time (after this process changed it)."""
    seen = _seen.get()
    if seen is not None:
        seen.pop(key, None)


@contextmanager
def per_request() -> Iterator[None]:
    token = _seen.set({})
    try:
        yield
    finally:
        _seen.reset(token)


class PerRequestMiddleware:
    """Reads generation tokens once per request (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with per_request():
            return self.get_response(request)
