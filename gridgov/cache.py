"""Django's Redis cache, cheaper per call, and the Redis connection that RQ borrows.

Django's ``RedisCache`` builds a new ``redis.Redis`` client object for every cache call (its
constructor fills a table of ~170 response callbacks: a tenth of a millisecond), and
``django_rq`` opens a new connection - connect, handshake, close - for every job it enqueues.
Every API request reads several generation tokens from the cache (grid index, calendar, lists
in force, access) and every report enqueues its deadline checks, so both costs sit on the
intake path (see docs/performance.md, "Intake").

:class:`RedisCache` keeps one client per connection pool (``redis.Redis`` is thread-safe, and
Django's cache objects are per thread anyway) and offers it as ``_client``, which is where
django_rq looks when a queue says ``"USE_REDIS_CACHE": "default"``: jobs are then enqueued over
the cache's pooled connections.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# django_rq tries ``from django_redis import get_redis_connection`` on every job it enqueues
# before it looks at ``_client``; without django-redis installed that is a failed import, a
# search of sys.path each time (≈ 0.5 ms per job). Recording the module as absent makes the
# same import fail at once.
if importlib.util.find_spec("django_redis") is None:
    sys.modules.setdefault("django_redis", None)  # type: ignore[assignment]


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient

    @property
    def _client(self) -> Any:
        """The pooled client for writes (django_rq's ``USE_REDIS_CACHE`` takes it)."""
        return self._cache.get_client(write=True)
