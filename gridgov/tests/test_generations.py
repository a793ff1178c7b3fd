"""Generation tokens are read once per request, and a process sees its own changes at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from gridgov import generations
from regions import index as grid_index

KEY = generations.register("test:generation")
# Without Redis the shared cache is a database table (gridgov.settings).
pytestmark = pytest.mark.django_db


def test_outside_a_request_every_read_goes_to_the_cache():
    cache.set(KEY, "a")
    assert generations.get(KEY) == "a"
    cache.set(KEY, "b")  # another process changed it
    assert generations.get(KEY) == "b"


def test_a_request_reads_all_tokens_once_and_keeps_its_view():
    cache.set(KEY, "a")
    with generations.per_request():
        assert generations.get(KEY) == "a"
        cache.set(KEY, "b")  # another process changed it meanwhile
        assert generations.get(KEY) == "a"  # one consistent view for the whole request
        generations.forget(KEY)  # as after a change made by this process
        assert generations.get(KEY) == "b"
    assert generations.get(KEY) == "b"


def test_a_process_sees_its_own_invalidation_within_the_request():
    with generations.per_request():
        before = grid_index.current_generation()
        grid_index.invalidate()
        assert grid_index.current_generation() != before


def test_a_flushed_cache_never_revives_the_generation_a_process_built_under():
    """A counter restarted at 0 after a flush could equal the generation some process built
    its index under before a change it never saw; a fresh random token matches nobody's."""
    built_under = grid_index.current_generation()
    grid_index.invalidate()  # a change this process has not rebuilt for
    cache.clear()  # Redis restarted
    assert grid_index.current_generation() != built_under


def test_a_per_process_value_is_rebuilt_once_its_generation_changes():
    generation = generations.Generation("test:per-process")
    builds: list[int] = []
    value = generations.PerProcessValue(generation, lambda: builds.append(1) or len(builds))
    assert value.get() == 1
    assert value.get() == 1  # unchanged generation: no rebuild
    generation.bump()
    assert value.get() == 2
    value.reset()
    assert value.get() == 3
