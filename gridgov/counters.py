"""Counters in the shared cache, for rate limits (R22.1).

A fixed window per key: the window is the current multiple of ``window`` seconds, so the
answer can say exactly how long until the count starts again (Retry-After) without asking the
cache for a key's remaining lifetime (which Django's cache API does not offer). The cache is
the shared one (Redis, or the database without Redis: see settings), so every process counts
together. Written here rather than taken from django-ratelimit because services count without
a request (a search is a service call, whatever door it came through).
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def increment(key: str, timeout: int) -> int:
    """Add one to ``key`` (created at 0 with ``timeout``, which the first hit starts)."""
    # add() is a no-op when the key exists, so the timeout runs from the first hit.
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout)
        return 1


def hit(key: str, window: int) -> tuple[int, int]:
    """Count one use of ``key`` in the current window: (uses so far, seconds to its end)."""
    now = time.time()
    index = int(now // window)
    remaining = max(1, math.ceil((index + 1) * window - now))
    return increment(f"{key}:{index}", window + 1), remaining
