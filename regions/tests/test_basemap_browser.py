"""The base map in a real browser (issue 10, "maps people can read"): the public grid page
draws the region outlines and names from this site's PMTiles archive, read in byte ranges,
under the Content-Security-Policy, and nothing leaves the server."""

from __future__ import annotations

import pytest

from gridgov.testing.browser import wait_until, watch_csp
from gridgov.testing.regions import halves, make_tree
from regions import basemap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_grid_page_draws_the_local_base_map_in_byte_ranges(
    live_server, browser, settings, tmp_path
):
    grid = halves(make_tree())[0]
    archive = tmp_path / "basemap.pmtiles"
    basemap.build(archive)
    settings.GRIDGOV = {**settings.GRIDGOV, "BASEMAP_PMTILES": str(archive), "TILE_URL": ""}
    context = browser.new_context(locale="zh-CN")
    violations = watch_csp(context)
    page = context.new_page()
    outside: list[str] = []
    archive_answers: list[int] = []
    local = (live_server.url, "data:", "blob:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.on(
        "response",
        lambda r: archive_answers.append(r.status) if "/maps/basemap.pmtiles" in r.url else None,
    )
    page.goto(f"{live_server.url}/public/grids/{grid.code}/")
    page.wait_for_selector("#grid-map[data-basemap='pmtiles-vector']")
    page.wait_for_selector("#grid-map .leaflet-tile-pane canvas")
    page.wait_for_load_state("networkidle")
    # the tiles are drawn: some pixel of a tile is neither blank nor the background
    wait_until(
        page,
        """() => [...document.querySelectorAll('#grid-map .leaflet-tile-pane canvas')].some(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
                const background = d[i] === 0xe8 && d[i + 1] === 0xee && d[i + 2] === 0xf2;
                if (d[i + 3] && !background) return true;
            }
            return false;
        })""",
    )
    assert archive_answers and set(archive_answers) == {206}  # never the whole file
    assert outside == [] and violations == []
    context.close()
