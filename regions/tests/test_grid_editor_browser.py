"""The grid editor in a real browser (issue 6; R8.1): a county administrator splits a grid by
drawing a line on the map, and a redraw that would leave the village is refused with the
problem's place marked on the map. Mouse clicks and drags on the Leaflet map, as a person."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gridgov.access import roles as R
from gridgov.testing.people import make_user
from gridgov.testing.regions import STEP, X0, Y0, halves, make_tree
from regions.models import Grid, GridChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEST = "440703002101001"
EAST = "440703002101002"
VILLAGE = "440703002101"


@pytest.fixture
def county_admin():
    halves(make_tree())
    return make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")


def screen_point(page, x: float, y: float) -> tuple[float, float]:
    """Village units (see ``gridgov.testing.regions``) → the pixel on the page."""
    lng, lat = X0 + x * STEP, Y0 + y * STEP
    point = page.evaluate(
        """([lat, lng]) => {
            const map = window.gridEditor.map;
            const p = map.latLngToContainerPoint([lat, lng]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lat, lng],
    )
    return point[0], point[1]


def open_editor(page, live_server, mode: str) -> None:
    page.goto(f"{live_server.url}/grids/regions/{VILLAGE}/edit/?grid={WEST}&mode={mode}")
    page.wait_for_selector("#editor-map[data-ready='1']")
    page.wait_for_load_state("networkidle")  # nothing moves the map any more


def test_split_a_grid_by_drawing_a_line_across_it(live_server, page, login_as, county_admin):
    """R8.1: draw a cutting line across the west grid, see the two parts with their areas,
    submit with a reason, and find the two new grids in the village."""
    login_as(county_admin)
    outside: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url)
    )
    open_editor(page, live_server, "split")
    # from inside the east grid, across the whole west grid, to outside the village
    for x, y in ((0.75, 0.5), (-0.1, 0.5)):
        page.mouse.click(*screen_point(page, x, y))
    expect(page.locator("#editor-map")).to_have_attribute("data-line-points", "2")
    page.get_by_role("button", name="完成切割线").click()
    parts = page.locator("#split-parts li")
    parts.nth(1).wait_for()
    assert parts.count() == 2
    # the parts' areas add up to the grid's (the clicks land near, not exactly on, y = 0.5)
    areas = [float(re.search(r"([0-9.]+) km²", t).group(1)) for t in parts.all_inner_texts()]
    west_km2 = Grid.objects.current().get(code=WEST).area_m2 / 1e6
    assert abs(sum(areas) - west_km2) < 0.002 and min(areas) > 0.2 * west_km2
    parts.nth(0).locator("input").fill("北片网格")
    page.locator("#split-form textarea[name=reason]").fill("小区入住,户数增加")
    page.get_by_role("button", name="提交拆分").click()
    # first what it does to people and open cases (none here), then the change
    page.get_by_role("button", name="确认提交").click()
    # the page comes back with the saved state and says what was made
    message = page.locator("#editor-result.ok")
    message.wait_for()
    assert "440703002101003" in message.inner_text()
    rows = page.locator("#editor-grids tbody tr")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.code)")) == [
        EAST,
        "440703002101003",
        "440703002101004",
    ]
    assert "北片网格" in page.locator("#editor-grids").inner_text()
    assert GridChange.objects.get().kind == "split"
    assert [u for u in outside if not u.startswith("data:")] == []  # no CDN, no tiles


def test_a_refused_redraw_marks_the_problem_on_the_map(live_server, page, login_as, county_admin):
    """R8.1 无缝覆盖: drag the village's corner vertex outward; the server refuses, and the
    editor shows the message, a marker and the piece outside the village."""
    login_as(county_admin)
    open_editor(page, live_server, "redraw")
    page.locator(".vertex-handle").first.wait_for()
    start = screen_point(page, 0, 0)  # the south-west corner of the village
    end = screen_point(page, -0.15, 0)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    expect(page.locator("#editor-map")).to_have_attribute("data-changed", WEST)
    page.locator("#redraw-form textarea[name=reason]").fill("道路改线")
    page.get_by_role("button", name="提交调整").click()
    refusal = page.locator("#editor-result.error")
    refusal.wait_for()
    assert "超出村(社区)范围" in refusal.inner_text()
    marker = page.locator(".problem-marker")
    marker.wait_for()
    assert marker.is_visible()
    expect(page.locator("path.problem-shape")).to_have_count(1)
    assert Grid.objects.current().get(code=WEST).version == 1  # nothing changed
    assert not GridChange.objects.exists()


def test_moving_a_shared_border_redraws_both_neighbours(live_server, page, login_as, county_admin):
    """R8.1 动态调整: pull the middle of the border between the two grids eastward; the new
    vertex goes into both polygons, and one redraw saves both (coverage stays seamless)."""
    import shapely

    login_as(county_admin)
    open_editor(page, live_server, "redraw")
    page.locator(".midpoint-handle").first.wait_for()
    page.mouse.move(*screen_point(page, 0.5, 0.5))  # the middle of the shared border
    page.mouse.down()
    page.mouse.move(*screen_point(page, 0.65, 0.5), steps=8)
    page.mouse.up()
    expect(page.locator("#editor-map")).to_have_attribute("data-changed", f"{WEST},{EAST}")
    page.locator("#redraw-form textarea[name=reason]").fill("沿道路调整边界")
    page.get_by_role("button", name="提交调整").click()
    page.get_by_role("button", name="确认提交").click()
    page.locator("#editor-result.ok").wait_for()
    west, east = (Grid.objects.current().get(code=c) for c in (WEST, EAST))
    assert west.version == east.version == 2
    assert west.geometry.contains(shapely.Point(X0 + 0.6 * STEP, Y0 + 0.5 * STEP))
    assert abs(west.geometry.union(east.geometry).area - (0.01 * 0.01)) < 1e-12
    assert GridChange.objects.get().kind == "redraw"
