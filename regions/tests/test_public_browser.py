"""The public grid page in a real browser (R8.4): Leaflet draws the grid, from local assets."""

from __future__ import annotations

import pytest

from gridgov.testing.regions import halves, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_page_draws_the_polygon_without_any_outside_request(live_server, page):
    grid = halves(make_tree())[0]
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(f"{live_server.url}/public/grids/{grid.code}/")
    assert page.locator("h1").inner_text() == grid.name
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    assert outside == []  # no CDN, no tiles: an isolated network sees nothing leave
