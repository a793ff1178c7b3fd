from __future__ import annotations

import pytest

from workdays import services
from workdays import snapshot as calendar_snapshot


@pytest.fixture(autouse=True)
def _fresh_calendar_snapshot():
    """Each test has its own database, so the per-process calendar must start empty."""
    calendar_snapshot.reset()
    yield
    calendar_snapshot.reset()


@pytest.fixture
def calendar(db):
    """2024 and 2025 as the packages have them (2026 deliberately left uncovered)."""
    return services.seed_years([2024, 2025], "test")


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("calendar-admin", password="pw-12345678")
