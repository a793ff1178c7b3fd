"""The console and the workbench in a real browser (issue 6; R24.2, R24.3): the map draws the
grids and clusters the cases, a dispatcher accepts and dispatches, a department signs and
feeds back, and the pages fit a 360-px phone and a 1920-px wall without sideways scrolling.
Nothing is fetched from outside the server."""

from __future__ import annotations

from typing import Any

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.models import Assignment, AssignmentState, Case, State
from cases.tests.conftest import photo_bytes
from gridgov.testing.browser import PHONE, WALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report(world: Any, **kw: Any) -> Case:
    lng, lat = world.point
    kw.setdefault("matter", world.entry_code)
    kw.setdefault("description", "小区门口路灯损坏,夜间有治安隐患")
    return services.intake(world.worker, ReportInput(lng=lng, lat=lat, **kw)).case


@pytest.fixture
def page(page):
    """The shared page, left quiet: the in-memory test database is shared with the server
    thread, so the page's last requests finish before the database is flushed and restored
    for the next test."""
    yield page
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


@pytest.fixture
def outside(page, live_server) -> list[str]:
    """Every request that leaves the test server (there must be none: isolated networks)."""
    seen: list[str] = []

    def record(request: Any) -> None:
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            seen.append(request.url)

    page.on("request", record)
    return seen


def test_the_console_map_draws_the_grids_and_clusters_the_cases(
    live_world, live_server, page, login_as, outside
):
    world = live_world
    for i in range(5):
        report(world, description=f"路灯损坏 {i}")
    login_as(world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    assert page.locator("h1").inner_text() == "调度台"
    page.wait_for_selector("#console-map[data-markers='5']")
    assert page.locator("#console-map").get_attribute("data-grids") == "4"
    assert page.locator("#console-map .leaflet-overlay-pane canvas").count() >= 1
    clusters = page.locator("#console-map .case-cluster")
    assert clusters.count() >= 1
    shown = sum(int(t) for t in clusters.all_inner_texts())
    assert shown == 5  # every case is in a cluster at the jurisdiction's zoom
    # a filter narrows the list and the map together (htmx + fetch)
    page.locator("label.tab", has_text="待核实").click()
    page.wait_for_selector("#console-map[data-markers='0']")
    assert "没有符合条件的事件" in page.locator("#case-list").inner_text()
    page.wait_for_selector("#chart-state svg")  # the ECharts panel drew
    assert outside == []


def test_a_dispatcher_accepts_and_dispatches_from_the_case_page(
    live_world, live_server, page, login_as, outside
):
    world = live_world
    case = report(world)
    login_as(world.dispatcher)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    page.locator("#action-accept button", has_text="立案").click()
    page.wait_for_selector("#action-dispatch")
    assert "已立案" in page.locator(".head-badges").inner_text()
    lead = page.locator("#action-dispatch select[name=lead_department]")
    assert lead.input_value() == str(world.police.pk)  # the entry's suggestion
    co = page.locator(f"#action-dispatch input[name=co_departments][value='{world.urban.pk}']")
    assert co.is_checked()
    page.locator("#action-dispatch button", has_text="派遣").click()
    page.wait_for_selector(".badge.state-dispatched")
    assert "派遣" in page.locator(".timeline").inner_text()
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.lead_department_id == world.police.pk
    assert outside == []


def test_a_refusal_is_shown_in_place_of_the_form(live_world, live_server, page, login_as):
    world = live_world
    case = report(world)
    login_as(world.dispatcher)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    form = page.locator("#action-decline")
    form.locator("textarea[name=reason]").fill("   ")
    form.locator("button").click()
    page.wait_for_selector("#action-decline .form-error")
    assert "请填写" in page.locator("#action-decline .form-error").inner_text()
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED


def test_a_department_signs_and_feeds_back_from_the_inbox(
    live_world, live_server, page, login_as, outside, tmp_path
):
    world = live_world
    case = services.dispatch(
        world.dispatcher, services.accept(world.dispatcher, report(world).pk).pk
    )
    login_as(world.police_handler)
    page.goto(f"{live_server.url}/dept/")
    item = f"li.inbox-item:has(a:text('{case.tracking_code}'))"
    page.locator(item).locator("button", has_text="签收").click()
    page.wait_for_selector(item, state="detached")  # signed: no longer waiting to be signed
    assert Assignment.objects.get(case=case, department=world.police).state == (
        AssignmentState.SIGNED
    )
    page.locator(".queue-tabs a", has_text="办理中").click()
    row = page.locator(item)
    row.locator("summary", has_text="反馈结果").click()
    row.locator("textarea[name=note]").fill("已更换路灯,恢复照明")
    picture = tmp_path / "after.jpg"
    picture.write_bytes(photo_bytes("green"))
    row.locator("input[name=photos]").set_input_files(str(picture))
    row.locator("button", has_text="反馈结果").click()
    page.wait_for_selector(item, state="detached")  # fed back: no longer in progress
    page.locator(".queue-tabs a", has_text="已反馈").click()
    assert case.tracking_code in page.locator(".inbox-list").inner_text()
    case.refresh_from_db()
    assert case.state == State.HANDLED and case.attachments.count() == 1
    assert outside == []


@pytest.mark.parametrize("viewport", [PHONE, WALL], ids=["phone-360", "wall-1920"])
def test_the_workbenches_fit_a_phone_and_a_wall_screen(live_world, live_server, browser, viewport):
    """Readable at 360 px and 1920 px: the page never scrolls sideways."""
    world = live_world
    case = services.dispatch(
        world.dispatcher, services.accept(world.dispatcher, report(world).pk).pk
    )
    services.sign(world.police_handler, case.pk)
    services.request_extension(
        world.police_handler, case.pk, amount=1, unit="workdays", reason="需要采购灯具"
    )
    pages = {
        world.dispatcher: ["/console/", "/console/?queue=dispatch", f"/console/cases/{case.pk}/"],
        world.police_handler: ["/dept/?tab=progress", f"/dept/cases/{case.pk}/"],
    }
    from django.conf import settings
    from django.test import Client

    for user, paths in pages.items():
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        try:
            for path in paths:
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], f"{path} at {viewport['width']} px: {width}"
                assert page.locator("main h1").is_visible()
        finally:
            page.wait_for_load_state("networkidle")
            context.close()
