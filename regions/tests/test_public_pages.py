"""Public disclosure of grids (R8.4): list, search, detail with area and map, no login."""

from __future__ import annotations

import pytest
from django.conf import settings

from gridgov.testing.regions import box, halves, make_tree
from regions import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def grids():
    return halves(make_tree())


def test_list_search_by_name_and_code(client, grids):
    page = client.get("/public/grids/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "共 4 个网格" in text and "440703002101001" in text
    by_name = client.get("/public/grids/", {"q": "迦南"}).content.decode()
    assert "440703002102001" in by_name and "440703002101001" not in by_name
    by_code = client.get("/public/grids/", {"q": "440703002101"}).content.decode()
    assert "共 2 个网格" in by_code


def test_list_is_paginated(client, grids):
    page = client.get("/public/grids/", {"page": 99})  # past the end: last page, no error
    assert page.status_code == 200 and "第 1 / 1 页" in page.content.decode()


def test_detail_shows_name_code_path_area_households_and_map(client, grids):
    grid = grids[0]
    page = client.get(f"/public/grids/{grid.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert grid.name in text and grid.code in text
    assert "江门市 / 蓬江区 / 白沙街道 / 羊桥社区居委会" in text
    assert f"{grid.area_km2:.3f}" in text and "400" in text
    assert 'id="grid-geometry"' in text and '"type": "Polygon"' in text
    # Leaflet is served by us, never from a CDN; no base map unless configured (gridgov.maps).
    assert "/static/vendor/leaflet/leaflet.js" in text
    assert "unpkg" not in text and "cdn" not in text.lower()
    assert '"basemap": {"kind": "none"}' in text


def test_unknown_grids_are_404_and_a_new_version_keeps_its_page(client, grids):
    services.update_grid(None, grids[0].code, households=1, reason="x")
    assert client.get(f"/public/grids/{grids[0].code}/").status_code == 200  # new version
    assert client.get("/public/grids/440703002101099/").status_code == 404
    assert client.get("/public/grids/not-a-code/").status_code == 404


def test_r8_4_a_retired_grid_says_which_grids_it_is_now_part_of(client, grids):
    """R8.4, R8.1: the notice board of a merged grid still hangs in the street; its page
    answers "retired, now part of …" with a link to the grid that took over, following later
    changes (merged, then split: both parts)."""
    west, east = grids[0], grids[1]
    merged = services.merge_grids(None, [west.code, east.code], reason="合并")
    page = client.get(f"/public/grids/{west.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "已撤销" in text and west.name in text
    assert f'href="/public/grids/{merged.code}/"' in text and merged.name in text
    parts = services.split_grid(
        None,
        merged.code,
        [services.GridSpec(box(0, 0, 1, 0.5)), services.GridSpec(box(0, 0.5, 1, 1))],
        reason="拆分",
    )
    text = client.get(f"/public/grids/{east.code}/").content.decode()
    assert all(f'href="/public/grids/{p.code}/"' in text for p in parts)
    assert f'href="/public/grids/{merged.code}/"' not in text  # retired itself


def test_leaflet_assets_are_installed_for_serving():
    """make setup installs Leaflet from npm and Django serves it (no CDN)."""
    prefixes = dict(settings.STATICFILES_DIRS)
    if "vendor/leaflet" not in prefixes:
        pytest.skip("node_modules not installed (make setup runs npm ci)")
    assert (prefixes["vendor/leaflet"] / "leaflet.js").is_file()
