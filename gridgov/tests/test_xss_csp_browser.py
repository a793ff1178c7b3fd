"""Server data in the page is text, and the Content-Security-Policy holds, in a real browser
(issue 10; R22.1).

Names are data anyone with a form can type: a grid, village, county or department named
``<img src=x onerror=…>`` must show those characters on every map (tooltips, popups, point
pickers, charts) and run nothing. The maps use ``GridgovText`` (``gridgov/static/gridgov/
text.js``); the policy (``gridgov/security.py``) refuses inline script should a place be
missed. A walk over each role's main pages then asserts the policy costs no feature: zero
violations while the maps draw, the charts draw, htmx filters the list, the language switch
and the print button work.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases import services
from cases.inputs import ReportInput
from cases.tests import conftest as cases_conftest
from gridgov.access import roles as R
from gridgov.testing.browser import open_map_labels, wait_until, watch_csp
from gridgov.testing.people import make_user
from matters.models import MatterItem
from people.models import Department
from regions.models import Grid, Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
live_world = cases_conftest.live_world  # the cases' small world (白沙街道), committed

GRID = "<img src=x onerror=window.__xss=1>"
VILLAGE = "<img src=x onerror=window.__xss=2>村"
COUNTY = "<img src=x onerror=window.__xss=3>区"
DEPARTMENT = "<img src=x onerror=window.__xss=4>局"
MATTER = "<img src=x onerror=window.__xss=5>事项"


@pytest.fixture
def hostile(live_world):
    """The world with hostile names on a grid, its village, the county, a department and a
    matter (renamed in the database, as an import or an edit form could have stored them)."""
    world = live_world
    Grid.objects.filter(code=world.grids[0].code).update(name=GRID)
    Region.objects.filter(code="440703002101").update(name=VILLAGE)
    Region.objects.filter(code="440703").update(name=COUNTY)
    Department.objects.filter(pk=world.police.pk).update(name=DEPARTMENT)
    MatterItem.objects.filter(code=world.entry_code).update(name=MATTER)
    lng, lat = world.point
    services.intake(
        world.worker, ReportInput(lng=lng, lat=lat, matter=world.entry_code, description="路灯")
    )
    world.admin = make_user(R.Role.AGENCY_ADMIN, "440703", username="county_admin")
    return world


@pytest.fixture
def context(browser_context):
    """The shared browser context, recording every CSP violation of its pages."""
    browser_context.violations = watch_csp(browser_context)
    return browser_context


@pytest.fixture
def sign_in(context, login_as):
    """A new page signed in as ``user`` (the previous person's session cookie dropped)."""

    def open_as(user: Any) -> Any:
        context.clear_cookies()
        login_as(user)
        return context.new_page()

    return open_as


def assert_inert(page: Any) -> None:
    """Nothing of the hostile names became markup or ran."""
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def labels(page: Any, map_id: str, must_show: str) -> list[str]:
    texts = open_map_labels(page, map_id)
    assert any(must_show in t for t in texts), texts
    expect(
        page.locator(f"#{map_id} .leaflet-tooltip, #{map_id} .leaflet-popup").first
    ).to_be_attached()
    assert_inert(page)
    return texts


def test_r22_1_hostile_names_are_text_on_the_console_map_and_charts(
    hostile, live_server, context, sign_in
):
    page = sign_in(hostile.dispatcher)
    page.goto(f"{live_server.url}/console/")
    page.wait_for_selector("#console-map[data-markers='1']")
    texts = labels(page, "console-map", GRID)
    assert f"{GRID} · 1" in texts  # the grid's name and its open cases, as text
    # the map's place search lists the hostile names as text too
    page.locator("#console-map .map-search input").fill("<img")
    found = page.locator("#console-map .map-search-results .map-search-name")
    expect(found.filter(has_text="__xss=1")).to_have_text(GRID)
    expect(found.filter(has_text="__xss=2")).to_have_text(VILLAGE)
    assert_inert(page)
    # the charts: the matter's name is SVG text, and so is its tooltip (richText)
    expect(page.locator("#chart-matter svg text", has_text="<img src=x").first).to_be_attached()
    page.locator("#chart-matter").hover(position={"x": 200, "y": 60})
    assert_inert(page)
    assert context.violations == []


def test_r22_1_hostile_names_are_text_on_the_grid_management_maps(
    hostile, live_server, context, sign_in
):
    page = sign_in(hostile.admin)
    grid, neighbour = hostile.grids[0].code, hostile.grids[1].code
    page.goto(f"{live_server.url}/grids/regions/440703002101/")  # the village: its grids
    page.wait_for_selector("#region-map[data-grids='2']")
    labels(page, "region-map", GRID)
    expect(page.locator("h1")).to_contain_text(VILLAGE)  # the page's own text, escaped
    page.goto(f"{live_server.url}/grids/regions/440703002/")  # the township: its villages
    page.wait_for_selector("#region-map[data-children='2']")
    labels(page, "region-map", VILLAGE)
    page.goto(f"{live_server.url}/grids/{neighbour}/")  # a grid among its neighbours
    labels(page, "grid-map", GRID)
    page.goto(f"{live_server.url}/grids/regions/440703002101/edit/?grid={grid}")
    page.wait_for_selector("#editor-map[data-ready='1']")
    labels(page, "editor-map", GRID)
    expect(page.locator("#editor-grids")).to_contain_text(GRID)
    assert_inert(page)
    assert context.violations == []


def test_r22_1_a_hostile_grid_name_is_text_on_the_public_grid_page(
    hostile, live_server, context, sign_in
):
    page = context.new_page()
    page.goto(f"{live_server.url}/public/grids/{hostile.grids[0].code}/")
    expect(page.locator("h1")).to_have_text(GRID)
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    assert_inert(page)
    assert context.violations == []


def test_r22_1_hostile_names_are_text_on_the_point_pickers(hostile, live_server, context, sign_in):
    # the grid worker's report form: the worker's grids on the map
    page = sign_in(hostile.worker)
    page.goto(f"{live_server.url}/m/report/")
    labels(page, "pick-map", GRID)
    # the resident portal: the counties with a list of matters
    page.goto(f"{live_server.url}/public/report/")
    labels(page, "portal-map", COUNTY)
    assert context.violations == []


def settle(page: Any) -> None:
    page.wait_for_load_state("networkidle")


def test_r22_1_each_roles_main_pages_run_under_the_policy_without_a_violation(
    hostile, live_server, context, sign_in
):
    """The policy refuses nothing the pages need: maps, charts, htmx, the language switch,
    the print button, the phone app's service worker, the API documentation."""
    base = live_server.url
    case = services.intake(
        hostile.worker,
        ReportInput(
            lng=hostile.point[0],
            lat=hostile.point[1],
            matter=hostile.entry_code,
            description="井盖缺失",
        ),
    ).case
    services.dispatch(hostile.dispatcher, services.accept(hostile.dispatcher, case.pk).pk)

    # anyone: the portal, a public grid page (print), the login page (language switch)
    page = context.new_page()
    page.goto(f"{base}/")
    page.goto(f"{base}/public/report/")
    page.wait_for_selector("#portal-map path.leaflet-interactive")
    page.goto(f"{base}/public/grids/{hostile.grids[1].code}/")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("[data-print]").click()
    assert page.evaluate("window.__printed") is True
    page.goto(f"{base}/accounts/login/")
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    with page.expect_navigation():
        page.locator("select[name=language]").select_option("zh-hans")
    page.goto(f"{base}/admin/login/")
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.goto(f"{base}/api/redoc/")
    # ReDoc lays out the whole schema (~17,000 lines) before its title appears: on a loaded
    # two-core machine that has taken more than 30 s.
    expect(page.locator("h1").first).to_contain_text("gridgov API", timeout=90_000)
    settle(page)
    page.close()
    # Redoc's "API docs by Redocly" badge loads its logo from Redocly's CDN: the policy
    # blocks it, as it should on an isolated network (the only refusal the walk expects).
    redocly = [v for v in context.violations if v["blocked"].startswith("https://cdn.redoc.ly/")]
    assert {v["page"] for v in redocly} <= {"/api/redoc/"}
    for v in redocly:
        context.violations.remove(v)

    # the dispatcher: the console (map, charts, htmx filters) and a case page
    page = sign_in(hostile.dispatcher)
    page.goto(f"{base}/console/")
    page.wait_for_selector("#console-map[data-markers='2']")
    page.wait_for_selector("#chart-state svg")
    page.locator("label.tab", has_text="待核实").click()  # worker reports need no check
    page.wait_for_selector("#console-map[data-markers='0']")
    page.goto(f"{base}/console/cases/{case.pk}/")
    page.wait_for_selector("#case-map path.leaflet-interactive")
    settle(page)
    page.close()

    # the department: its inbox and the case
    page = sign_in(hostile.police_handler)
    page.goto(f"{base}/dept/")
    expect(page.locator(".inbox-list")).to_contain_text(case.tracking_code)
    page.goto(f"{base}/dept/cases/{case.pk}/")
    settle(page)
    page.close()

    # the grid worker on the phone app (its service worker included)
    page = sign_in(hostile.worker)
    page.goto(f"{base}/m/")
    wait_until(page, "!!navigator.serviceWorker.controller")  # the app's worker runs
    page.goto(f"{base}/m/report/")
    page.wait_for_selector("#pick-map path.leaflet-interactive")
    settle(page)
    page.close()

    # the county administrator: grid management, people (an auto-submitting filter), audit
    page = sign_in(hostile.admin)
    page.goto(f"{base}/grids/regions/440703002101/coverage/")
    page.wait_for_selector("#coverage-map[data-problems]")
    page.goto(f"{base}/grids/regions/440703002101/edit/?grid={hostile.grids[0].code}&mode=split")
    page.wait_for_selector("#editor-map[data-ready='1']")
    page.goto(f"{base}/people/departments/")
    with page.expect_navigation():
        page.locator("select[name=kind]").select_option(index=1)
    assert "kind=" in page.url
    for path in ("/people/", "/audit/", "/matters/", "/grids/"):
        page.goto(base + path)
    settle(page)
    page.close()

    assert context.violations == []
