"""The console's map and charts keep up with the list (issue 10, "maps people can read";
R24.2, R27.1): one tab lit at a time, one map request per filter change, charts that show
every bar's name and follow a bulk action."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from cases import services
from cases.inputs import ReportInput
from cases.models import Assignment, Case, DeadlineStatus
from gridgov.testing.people import make_department

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BRAND = "rgb(11, 92, 173)"  # --brand: the lit tab


@pytest.fixture
def page(page):
    yield page
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def report(world: Any, matter: str | None = None, **kw: Any) -> Case:
    lng, lat = world.point
    kw.setdefault("description", "小区门口路灯损坏")
    return services.intake(
        world.worker, ReportInput(lng=lng, lat=lat, matter=matter or world.entry_code, **kw)
    ).case


def chart_texts(page: Any, chart_id: str) -> list[str]:
    return page.locator(f"#{chart_id} svg text").all_text_contents()


def test_r24_2_only_the_chosen_queue_tab_is_lit(live_world, live_server, page, login_as):
    login_as(live_world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    page.locator("label.tab", has_text="待立案").click()
    expect(page.locator("#case-list h2")).to_contain_text("待立案")
    lit = page.locator(".queue-tabs label.tab").evaluate_all(
        f"tabs => tabs.filter(t => getComputedStyle(t).backgroundColor === '{BRAND}')"
        ".map(t => t.textContent.trim())"
    )
    assert len(lit) == 1 and lit[0].startswith("待立案")
    assert page.locator(".queue-tabs label.tab.current").count() == 1


def test_r24_2_a_filter_change_asks_the_map_once(live_world, live_server, page, login_as):
    report(live_world)
    login_as(live_world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    page.wait_for_selector("#console-map[data-markers='1']")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/console/map/" in r.url else None)

    def markers_after(action: Any) -> None:
        with page.expect_response(lambda r: "/console/map/cases.json" in r.url):
            action()
        page.wait_for_timeout(1000)  # room for any further request the change would make

    markers_after(lambda: page.locator("label.tab", has_text="待立案").click())
    assert asked == [f"{live_server.url}/console/map/cases.json?queue=accept"]
    markers_after(lambda: page.locator("select[name=deadline]").select_option("normal"))
    assert len(asked) == 2 and asked[1].endswith("?queue=accept&deadline=normal"), asked


KINDS = [
    "police",
    "civil_affairs",
    "justice",
    "human_resources",
    "ecology",
    "housing",
    "agriculture",
    "culture_tourism",
    "health",
    "emergency",
    "urban_management",
    "petitions",
    "government_services",
    "fire_rescue",
]


def test_r27_1_the_overdue_chart_names_every_department(live_world, live_server, page, login_as):
    """Fourteen late departments, fourteen names on the axis: ECharts dropped every other
    name when the bars crowded a chart of fixed height."""
    world = live_world
    departments = [make_department(kind, "440703") for kind in KINDS]
    case = services.accept(world.dispatcher, report(world).pk)
    services.dispatch(
        world.dispatcher,
        case.pk,
        lead_department=departments[0].pk,
        co_departments=[d.pk for d in departments[1:]],
    )
    Assignment.objects.update(deadline_status=DeadlineStatus.RED)  # all of them late
    login_as(world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    expect(page.locator("#chart-overdue")).to_have_attribute("data-bars", str(len(KINDS)))
    shown = chart_texts(page, "chart-overdue")
    missing = [d.name for d in departments if not any(d.name[:6] in t for t in shown)]
    assert missing == [], shown


def test_r27_1_the_charts_follow_a_bulk_action(live_world, live_server, page, login_as):
    world = live_world
    for i in range(2):
        report(world, description=f"路灯损坏 {i}")  # a worker's report: verified
    login_as(world.dispatcher)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/console/?queue=accept")
    expect(page.locator("#chart-state svg")).to_be_attached()
    assert "已核实" in chart_texts(page, "chart-state")
    page.locator("[data-select-all=ids]").check()
    page.locator("#bulk-form button", has_text="批量立案").click()
    expect(page.locator("#case-list")).to_contain_text("没有符合条件的事件")
    page.wait_for_load_state("networkidle")
    texts = chart_texts(page, "chart-state")
    assert "已立案" in texts and "已核实" not in texts, texts
    expect(page.locator("#console-stats-data table").first).to_contain_text("已立案")
