"""The demo's maps show its regions: load_demo builds the base map archive when it is missing
or older than the regions, and leaves a deployment's tile server alone (issue 10)."""

from __future__ import annotations

import os

import pytest

from demo.loader import ensure_basemap
from gridgov.testing.regions import make_tree
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(tmp_path, settings):
    path = tmp_path / "basemap" / "basemap.pmtiles"
    settings.GRIDGOV = {**settings.GRIDGOV, "BASEMAP_PMTILES": str(path), "TILE_URL": ""}
    return path


def test_the_demo_builds_its_base_map_once_and_again_after_a_region_change(target):
    assert ensure_basemap() == ""  # no regions yet: nothing to draw
    make_tree()
    assert "4 regions" in ensure_basemap() and target.exists()
    assert ensure_basemap() == ""  # up to date
    os.utime(target, (0, 0))  # older than the regions
    Region.objects.filter(code="440703").update(name="蓬江区")
    assert "4 regions" in ensure_basemap()


def test_a_tile_server_needs_no_base_map(target, settings):
    make_tree()
    settings.GRIDGOV = {**settings.GRIDGOV, "TILE_URL": "https://tiles.gov.example/{z}/{x}/{y}"}
    assert ensure_basemap() == "" and not target.exists()
