"""Place search on the maps in a real browser (issue 10, "maps people can read"): type a name,
pick a result, the map flies there; on the console (the staff's places) and on a public grid
page (public places), the results as text."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases.tests import conftest as cases_conftest
from gridgov.testing.browser import wait_until
from regions.models import Grid, Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
live_world = cases_conftest.live_world  # the cases' small world (白沙街道), committed


def search_and_pick(page: Any, map_id: str, query: str, expected: str) -> str:
    box = page.locator(f"#{map_id} .map-search input")
    box.fill(query)
    results = page.locator(f"#{map_id} .map-search-results button")
    expect(results.first).to_be_visible()
    texts = results.all_inner_texts()
    assert any(expected in t for t in texts), texts
    results.filter(has_text=expected).first.click()
    return page.locator(f"#{map_id}").get_attribute("data-search-chosen") or ""


def map_centre_in(page: Any, map_id: str, place: Any) -> bool:
    centre = wait_until(
        page,
        f"""() => {{
            const map = document.getElementById({map_id!r}).gridgovMap;
            return map ? map.getCenter() : null;
        }}""",
    )
    return (
        place.min_lng <= centre["lng"] <= place.max_lng
        and place.min_lat <= centre["lat"] <= place.max_lat
    )


def test_the_console_map_finds_a_grid_of_the_jurisdiction(live_world, live_server, page, login_as):
    login_as(live_world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    page.wait_for_selector("#console-map[data-grids='4']")
    grid = Grid.objects.current().get(code="440703002102002")
    chosen = search_and_pick(page, "console-map", "测试网格2", "迦南社区居委会")
    assert chosen == grid.code
    page.wait_for_timeout(900)  # the flight
    assert map_centre_in(page, "console-map", grid)
    # a name nobody has: said so, as text
    page.locator("#console-map .map-search input").fill("没有这个地方")
    expect(page.locator("#console-map .map-search-status")).to_have_text("没有找到这个地点")


def test_a_public_grid_page_finds_a_village(live_world, live_server, page):
    page.goto(f"{live_server.url}/public/grids/{live_world.grids[0].code}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    village = Region.objects.get(code="440703002102")
    assert search_and_pick(page, "grid-map", "迦南", "迦南社区居委会") == village.code
    page.wait_for_timeout(900)
    assert map_centre_in(page, "grid-map", village)
