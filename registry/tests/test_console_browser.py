"""The registry console in a real browser (R11.1, R22.1): search a name, open the resident
(masked), reveal the ID number with a reason; the reveal is logged; nothing is fetched from
outside the server."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import PersonalDataAccess
from gridgov.testing import people as testing
from registry.tests import world as w

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(page):
    yield page
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def test_search_then_resident_then_reveal(live_server, page, login_as):
    number = w.id_number(951)
    person = w.resident(w.house(), name="黄浏览", id_number=number)
    login_as(testing.make_user("agency_admin", "440703", username="browser_admin"))
    outside: list[str] = []

    def record(request: Any) -> None:
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", record)
    page.goto(f"{live_server.url}/registry/")
    page.fill("input[name=q]", "黄浏览")
    page.click("form.filters button[type=submit]")
    page.click("#results-residents a:has-text('黄浏览')")
    assert page.locator("h1").inner_text().startswith("黄浏览")
    masked = page.locator("#reveal-id_number .masked").inner_text()
    assert masked == person.id_number_masked and number not in page.content()
    page.fill("#reveal-id_number input[name=reason]", "核实身份信息")
    page.click("#reveal-id_number button[type=submit]")
    assert page.locator("#reveal-id_number .revealed").inner_text() == number
    assert PersonalDataAccess.objects.filter(subject_id=str(person.pk), granted=True).count() == 1
    assert outside == []


def test_a_proposals_page_draws_its_gps_point_on_the_mini_map(live_server, page, login_as):
    """R11.1 (二): the reviewer sees where the worker's phone was, drawn by the shared
    gridgov/point-map.js (the case page uses it too)."""
    from registry import inputs
    from registry.services import proposals

    worker = testing.make_user("grid_worker_fulltime", w.GRID, username="pm_worker")
    resident = w.resident(w.house(), name="黄地图")
    proposal, _ = proposals.propose(
        worker,
        "resident_update",
        resident,
        inputs.ResidentChanges(name="黄新图"),
        gps=proposals.Gps(lng=113.0751, lat=22.6051, accuracy_m=9),
    )
    login_as(testing.make_user("agency_admin", w.VILLAGE[:9], username="pm_reviewer"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/registry/proposals/{proposal.pk}/")
    page.wait_for_selector("#proposal-map path.leaflet-interactive")
    assert errors == []
