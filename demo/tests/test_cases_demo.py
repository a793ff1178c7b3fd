"""The cases demo step on a small world: one case per story (R24–R27, R26.2)."""

from __future__ import annotations

import pytest

from cases import archive
from cases.models import Case, CaseEvent, DutyRuling, InvolvedPerson, Supervision, Suspension
from cases.tests.conftest import World, world  # noqa: F401 (the fixture)
from demo import cases as demo_cases

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_plan(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(demo_cases, "PLAN", [(name, 1) for name, _count in demo_cases.PLAN])


def test_the_demo_replays_every_story_at_its_own_times_and_the_archive_verifies(
    world: World,  # noqa: F811
):
    """Every state of the machine shows up; the times spread over the past; every chain
    verifies; loading again adds nothing."""
    summary = demo_cases.load()
    assert "cases replayed" in summary
    cases = Case.objects.all()
    assert cases.count() == len(demo_cases.PLAN)
    states = set(cases.values_list("state", flat=True))
    assert {"reported", "verified", "declined", "in_progress", "closed", "evaluated"} <= states
    assert DutyRuling.objects.exists() and Supervision.objects.exists()
    assert Suspension.objects.exists()
    assert cases.filter(settled_on_spot=True).exists()
    assert cases.exclude(level="township").exists()
    first = cases.order_by("created_at").first()
    assert (Case.objects.order_by("-created_at").first().created_at - first.created_at).days > 7
    assert list(archive.verify()) == []
    # R22.1: some reports name the people involved, stored encrypted and shown masked
    involved = InvolvedPerson.objects.exclude(phone_encrypted="")
    assert involved.exists() and all("****" in p.phone_masked for p in involved)
    events = CaseEvent.objects.count()

    again = demo_cases.load()
    assert Case.objects.count() == len(demo_cases.PLAN) and CaseEvent.objects.count() == events
    assert "already there" in again
