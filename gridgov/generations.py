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

:class:`Generation` is the one way to own such a token: ``current()`` reads it (creating it on
first use), ``bump()`` replaces it. Tokens are random, never counters: after the shared cache is
flushed a counter would start again at a value some process already built its cache under, and
that process would keep serving stale data; a fresh random token matches no one's.
:class:`PerProcessValue` is the per-process cache such a token guards (one value, rebuilt when
the token changed).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db import transaction
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


class Generation:
    """A generation token in the shared cache, under ``key`` (registered with the others)."""

    def __init__(self, key: str) -> None:
        self.key = register(key)

    def current(self) -> str:
        """The token as this request sees it; created on first use in an empty cache."""
        token = get(self.key)
        if token is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)  # add: the first process wins
            forget(self.key)
            token = get(self.key)
        return str(token)

    def bump(self) -> None:
        """Tell every process that the data changed (this one sees it at once)."""
        cache.set(self.key, uuid.uuid4().hex, timeout=None)
        forget(self.key)

    def bump_now_and_on_commit(self) -> None:
        """Bump now, and again when the transaction commits: a process that reloads in between
        must not keep what the transaction replaced."""
        self.bump()
        transaction.on_commit(self.bump)


T = TypeVar("T")


class PerProcessValue(Generic[T]):
    """One value per process, built by ``build`` and rebuilt once its generation changed.

    With ``stale_while_rebuilding``, threads that find a rebuild under way keep the previous
    value instead of waiting (an index of a province takes seconds to build). ``lock`` is held
    while building.
    """

    def __init__(
        self,
        generation: Generation,
        build: Callable[[], T],
        *,
        stale_while_rebuilding: bool = False,
    ) -> None:
        self.generation = generation
        self.build = build
        self.stale_while_rebuilding = stale_while_rebuilding
        self.lock = threading.Lock()
        self._value: T | None = None
        self._built_under: str | None = None

    def get(self) -> T:
        token = self.generation.current()
        value = self._value
        if value is not None and self._built_under == token:
            return value
        blocking = value is None or not self.stale_while_rebuilding
        if not self.lock.acquire(blocking=blocking):
            assert value is not None
            return value
        try:
            if self._value is None or self._built_under != token:
                self._value = self.build()
                self._built_under = token
            return self._value
        finally:
            self.lock.release()

    def reset(self) -> None:
        """Forget the value (tests: each test has its own database)."""
        with self.lock:
            self._value = None
            self._built_under = None
