"""Shared test set-up: the test environment, and fixtures every app's tests use."""

from __future__ import annotations

import os

os.environ.setdefault("GRIDGOV_ENV", "test")

import pytest


@pytest.fixture(autouse=True)
def _fresh_grid_index(settings):
    """Each test sees its own database, so the per-process grid index must start empty."""
    from django.core.cache import cache

    from regions import index

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    index.reset()
    yield
    index.reset()
