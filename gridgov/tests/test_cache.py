"""The Redis cache reuses its clients and lends its connection to RQ (gridgov.cache).

Run against the real Redis (skipped with the reason when it is unreachable, unless
GRIDGOV_REQUIRE_REDIS=1)."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import caches

REDIS_URL = os.environ.get("GRIDGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache(settings):
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as exc:
        reason = f"Redis is unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("GRIDGOV_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason} (GRIDGOV_REQUIRE_REDIS=1)", pytrace=False)
        pytest.skip(reason)
    prefix = f"gridgov-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {"BACKEND": "gridgov.cache.RedisCache", "LOCATION": REDIS_URL},
    }
    queue = f"{prefix}-queue"
    settings.RQ_QUEUES = {queue: {"USE_REDIS_CACHE": "default"}}
    yield prefix, queue
    for key in connection.scan_iter(match=f"*{prefix}*", count=1000):
        connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{queue}")
    connection.close()


def test_cache_calls_reuse_one_client(redis_cache):
    prefix, _queue = redis_cache
    cache = caches["default"]
    cache.set(f"{prefix}:a", {"n": 1}, 30)
    assert cache.get(f"{prefix}:a") == {"n": 1}
    assert cache.add(f"{prefix}:b", 0, 30)
    assert cache.incr(f"{prefix}:b") == 1
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    assert cache._client is cache._cache.get_client(write=True)


def test_rq_enqueues_over_the_cache_connection(redis_cache):
    """R27.1 deadline checks go to RQ without opening a connection per job."""
    import django_rq
    from rq import Queue

    _prefix, name = redis_cache
    queue = django_rq.get_queue(name)
    assert queue.connection is caches["default"]._client
    job = queue.enqueue("os.getcwd")
    assert Queue(name, connection=queue.connection).job_ids == [job.id]
