"""The shared cache: Django's Redis cache, cheaper per call, and the Redis connection that RQ
borrows; without Redis, Django's database cache with an atomic ``incr``.

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

Without ``REDIS_URL`` the shared state of the processes (generation tokens, lockout and
rate-limit counters) lives in the database, through :class:`DatabaseCache`: every process of a
deployment then sees a revocation or a failed login at once (R22.1). Django's database cache
implements ``incr`` as a read and a write (two processes can both read 4 and write 5) that also
resets the key's expiry to the default timeout; ours locks the row and keeps the expiry.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import sys
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections, models, router, transaction
from django.utils import timezone

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


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache whose ``incr`` is atomic across processes and keeps the expiry."""

    def __init__(self, table: str, params: dict[str, Any]) -> None:
        super().__init__(table, params)
        self.table_name = table

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        # FOR UPDATE holds other processes' increments of the key until this one commits;
        # SQLite has no row locks, but its transactions here are IMMEDIATE (settings): one
        # writer at a time, so the read and the write below are not interleaved either.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('expires')} FROM {quote(self.table_name)} "
                f"WHERE {quote('cache_key')} = %s{lock}",
                [self.make_and_validate_key(key, version=version)],
            )
            row = cursor.fetchone()
            value = self.get(key, version=version) if row is not None else None
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            self.set(key, value, self._remaining(row[0], connection), version=version)
        return value

    @staticmethod
    def _remaining(expires: Any, connection: Any) -> float | None:
        """Seconds until a stored ``expires`` (None: never), read as the ORM would."""
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        if expires.year >= dt.datetime.max.year:
            return None
        if timezone.is_naive(expires):
            expires = timezone.make_aware(expires, dt.UTC)
        return max(1, math.ceil((expires - timezone.now()).total_seconds()))
