"""The closed loop end to end, through the real pages of every role, in one browser with one
context per person (issue 6; R18.1, R24.1–R24.3, R26.1, R26.2, R27.1).

Two stories, each case taken only through the UI (the world is set up by services):

- a resident reports on the portal (phone) → the grid worker verifies on the phone → the
  township dispatcher accepts and dispatches on the console → the department signs and feeds
  back in its inbox → the dispatcher checks and closes → the resident follows the tracking
  code, sees the result and rates it;
- a grid worker reports on the phone (GPS, camera photo, matter from the list) → the
  dispatcher accepts and dispatches in bulk from the console queues → the department signs and
  feeds back on the case page → the worker checks on site on the phone and closes it.

Each person signs in through the login form and lands on the page of their role. At the end
the case's archive chain verifies, and no page asked anything from outside the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect

from cases import archive
from cases.models import Case, State
from cases.tests import conftest as cases_conftest
from gridgov.testing.browser import DESKTOP, PHONE, tap_on_map
from gridgov.testing.people import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
live_world = cases_conftest.live_world  # the cases' small world (白沙街道), committed


@dataclass
class People:
    """One browser context per person; every request that leaves the server is recorded."""

    browser: Any
    base: str
    contexts: list[BrowserContext] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def context(self, *, phone: bool, **options: Any) -> BrowserContext:
        if phone:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True)
        else:
            options.update(viewport=DESKTOP)
        context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        context.set_default_timeout(15_000)
        local = (self.base, "data:", "blob:")
        context.on(
            "request", lambda r: None if r.url.startswith(local) else self.outside.append(r.url)
        )
        self.contexts.append(context)
        return context

    def signed_in(self, user: Any, landing: str, **options: Any) -> Page:
        """A person signing in through the login form; ``/`` sends them to their page."""
        page = self.context(**options).new_page()
        page.goto(f"{self.base}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("form.login button[type=submit]").click()
        expect(page).to_have_url(re.compile(re.escape(f"{self.base}{landing}") + r"(\?.*)?$"))
        page.wait_for_load_state()  # the page's scripts (htmx) are wired before anyone clicks
        return page

    def resident(self) -> Page:
        return self.context(phone=True).new_page()

    def close(self) -> None:
        # The server thread shares the test database: let the last requests finish first.
        for context in self.contexts:
            for page in context.pages:
                page.wait_for_load_state("networkidle")
            context.close()


@pytest.fixture
def people(browser, live_server) -> Iterator[People]:
    crowd = People(browser, live_server.url)
    yield crowd
    crowd.close()


@pytest.fixture
def pictures(tmp_path) -> dict[str, Path]:
    """Photos as a phone camera takes them (the phones shrink them before upload)."""
    made = {}
    for name, colour in [("street", "#8899aa"), ("site", "#667788"), ("after", "#55aa66")]:
        path = tmp_path / f"{name}.jpg"
        Image.new("RGB", (2000, 1500), colour).save(path, "JPEG")
        made[name] = path
    return made


def worker_phone(people: People, world: Any) -> Page:
    """The grid worker's phone, standing in their grid, location allowed."""
    lng, lat = world.point
    return people.signed_in(
        world.worker,
        "/m/",
        phone=True,
        geolocation={"longitude": lng, "latitude": lat, "accuracy": 8},
        permissions=["geolocation"],
        service_workers="allow",
    )


def open_from_queue(page: Page, base: str, queue: str, code: str) -> None:
    """The dispatcher picks a queue on the console and opens the case from the list."""
    page.goto(f"{base}/console/")
    page.locator("label.tab", has_text=queue).click()
    expect(page.locator("#case-list .list-head h2")).to_contain_text(queue)
    link = page.locator("#case-list a.code", has_text=code)
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1 .code")).to_have_text(code)


def expect_state(page: Page, label: str) -> None:
    expect(page.locator(".head-badges .badge").first).to_have_text(label)


def assert_archive_intact(case: Case) -> None:
    """R26.2: every step is in the case's hash chain, and the chain verifies."""
    assert list(archive.verify([case.pk])) == []
    assert case.events.count() == case.archive_seq


def test_a_resident_report_goes_round_the_loop_and_is_rated(
    people, live_world, pictures, live_server
):
    """R18.1 → R24.1 → R24.2 → R24.3 → R26.1 → R27.1, one resident report through every
    role's page."""
    world = live_world
    base = live_server.url

    # 1. A resident, on a phone and without an account, reports on the portal.
    resident = people.resident()
    resident.goto(f"{base}/")
    resident.click(".portal-report a")
    expect(resident.locator("h1")).to_have_text("我要反映")
    lng, lat = world.point
    tap_on_map(resident, "portal-map", lng, lat)
    expect(resident.locator("[data-place]")).to_contain_text("测试网格1")
    resident.fill("input[name=address]", "白沙街道测试路 8 号后门")
    resident.fill("[data-matter-search]", "治安")
    resident.locator(".matter-option:visible", has_text="治安隐患排查").click()
    resident.fill("textarea[name=description]", "小区后门路灯不亮,晚上很黑")
    resident.fill("input[name=reporter_phone]", "13912345678")
    resident.set_input_files("[data-photo-input]", str(pictures["street"]))
    expect(resident.locator("[data-thumbs] img")).to_have_count(1)
    resident.click("[data-submit]")
    code_box = resident.locator("[data-tracking-code]")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    expect(resident.locator("h1")).to_contain_text("待核实")
    case = Case.objects.get(tracking_code=code)

    # 2. The grid worker finds it among today's tasks and verifies it on site.
    worker = worker_phone(people, world)
    to_verify = worker.locator("section.tasks").first
    expect(to_verify.locator("h2")).to_contain_text("待核实")
    card = to_verify.locator(".case-card", has_text=code)
    expect(card).to_contain_text("待核实")
    card.locator("a").click()
    form = worker.locator("form[data-outbox-form=verify]")
    form.locator("text=情况属实").click()
    form.locator("textarea[name=note]").fill("现场查看,路灯确实不亮")
    form.locator("[data-photo-input]").set_input_files(str(pictures["site"]))
    expect(form.locator("[data-thumbs] img")).to_have_count(1)
    form.locator("[data-submit]").click()
    expect(form.locator("[data-form-status]")).to_contain_text(f"已提交:{code} 已核实")
    expect(worker).to_have_url(f"{base}/m/")  # back to the tasks
    expect(
        worker.locator("section.tasks").first.locator(".case-card", has_text=code)
    ).to_have_count(0)

    # 3. The township dispatcher, on the console, accepts and dispatches it.
    console = people.signed_in(world.dispatcher, "/console/", phone=False)
    expect(console.locator(".page-head")).to_contain_text("管辖范围:白沙街道")
    open_from_queue(console, base, "待立案", code)
    expect_state(console, "已核实")
    expect(console.locator(".timeline")).to_contain_text("现场查看,路灯确实不亮")
    console.locator("#action-accept button", has_text="立案").click()
    expect_state(console, "已立案")
    dispatch = console.locator("#action-dispatch")
    expect(dispatch.locator("select[name=lead_department]")).to_have_value(str(world.police.pk))
    dispatch.locator(f"input[name=co_departments][value='{world.urban.pk}']").uncheck()
    dispatch.locator("button", has_text="派遣").click()
    expect_state(console, "已派遣")
    expect(console.locator("table.assignments")).to_contain_text(world.police.name)

    # 4. The police department signs it and feeds back from its inbox.
    inbox = people.signed_in(world.police_handler, "/dept/", phone=False)
    item = inbox.locator("li.inbox-item", has_text=code)
    expect(item).to_contain_text("已派遣")
    item.locator("button", has_text="签收").click()
    expect(item).to_have_count(0)  # signed: no longer waiting to be signed
    inbox.locator(".queue-tabs a", has_text="办理中").click()
    item = inbox.locator("li.inbox-item", has_text=code)
    expect(item).to_contain_text("处置中")
    item.locator("summary", has_text="反馈结果").click()
    item.locator("textarea[name=note]").fill("已更换路灯灯头,恢复照明")
    item.locator("input[name=photos]").set_input_files(str(pictures["after"]))
    item.locator("button", has_text="反馈结果").click()
    expect(item).to_have_count(0)
    inbox.locator(".queue-tabs a", has_text="已反馈").click()
    expect(inbox.locator("li.inbox-item", has_text=code)).to_contain_text("已反馈")

    # 5. The dispatcher checks the result and closes the case.
    open_from_queue(console, base, "待核查", code)
    expect_state(console, "已反馈")
    expect(console.locator("table.assignments")).to_contain_text("已更换路灯灯头")
    check = console.locator("#action-check")
    check.locator("textarea[name=note]").fill("回访居民,路灯已亮")
    check.locator("button", has_text="核查通过,结案").click()
    expect_state(console, "已结案")
    timeline = console.locator(".timeline")
    for step in ("上报", "核实", "立案", "派遣", "签收", "反馈结果", "核查结案"):
        expect(timeline).to_contain_text(step)
    expect(timeline).to_contain_text(world.police_handler.full_name)

    # 6. The resident follows the tracking code, sees the result and rates it.
    resident.goto(f"{base}/")
    resident.click(".portal-track a")
    resident.fill("input[name=code]", code.lower())
    resident.locator("form.track-form button").click()
    expect(resident.locator("h1")).to_contain_text("已结案")
    steps = resident.locator("ol.timeline")
    expect(steps).to_contain_text("网格员现场核实属实")
    expect(steps).to_contain_text(f"派遣至 {world.police.name} 牵头办理")
    expect(steps).to_contain_text(f"{world.police.name} 反馈办理结果")
    expect(steps).to_contain_text("核查通过,结案")
    content = resident.content()
    assert "13912345678" not in content and "139****5678" not in content
    assert world.police_handler.full_name not in content  # departments, never people
    resident.check("input[value=satisfied]")
    resident.fill("textarea[name=comment]", "修得很快,谢谢")
    resident.click("text=提交评价")
    expect(resident.locator(".messages")).to_contain_text("感谢您的评价")
    expect(resident.locator("main")).to_contain_text("您的评价:满意")
    expect(steps).to_contain_text("评价:满意")

    # 7. The rating is on the dispatcher's case page too.
    console.reload()
    expect_state(console, "已评价")
    expect(console.locator("dl.facts")).to_contain_text("满意 修得很快,谢谢")
    expect(console.locator(".timeline")).to_contain_text("评价")

    case.refresh_from_db()
    assert (case.state, case.rating, case.lead_department_id) == (
        State.EVALUATED,
        "satisfied",
        world.police.pk,
    )
    assert case.attachments.count() == 3  # the resident's, the worker's, the department's
    assert_archive_intact(case)
    assert people.outside == []


def test_a_worker_report_is_dispatched_in_bulk_and_checked_on_the_phone(
    people, live_world, pictures, live_server
):
    """R24.1 (report with GPS and photo) → R24.2 (bulk accept and dispatch) → R24.3 (sign and
    feed back on the case page) → R26.1 (the grid worker checks on site)."""
    world = live_world
    base = live_server.url

    # 1. The worker reports on the phone: GPS, a photo, the matter from the county's list.
    worker = worker_phone(people, world)
    worker.click("text=上报事件")
    expect(worker.locator("[data-gps-status]")).to_contain_text("已定位")
    worker.fill("[data-matter-search]", "治安")
    worker.locator(".matter-option:visible", has_text="治安隐患排查").click()
    worker.fill("textarea[name=description]", "巷口监控探头被树枝遮挡")
    worker.set_input_files("[data-photo-input]", str(pictures["site"]))
    expect(worker.locator("[data-thumbs] img")).to_have_count(1)
    worker.click("[data-submit]")
    status = worker.locator("[data-form-status]")
    expect(status).to_contain_text("已上报,查询码")
    expect(status).to_contain_text("已核实")  # a worker's own report needs no verifying
    code = re.search(r"查询码 (\w+)", status.inner_text()).group(1)
    worker.goto(f"{base}/m/")
    mine = worker.locator("[data-recent] .case-card", has_text=code)
    expect(mine).to_contain_text("已核实")
    case = Case.objects.get(tracking_code=code)
    assert case.grid_code == world.grids[0].code

    # 2. The dispatcher accepts and dispatches it in bulk from the queues.
    console = people.signed_in(world.dispatcher, "/console/", phone=False)
    for queue, button, summary in [
        ("待立案", "批量立案", "批量立案:成功 1 件"),
        ("待派遣", "按建议部门批量派遣", "按建议部门批量派遣:成功 1 件"),
    ]:
        console.locator("label.tab", has_text=queue).click()
        expect(console.locator("#case-list .list-head h2")).to_contain_text(queue)
        console.locator(f"#case-list input[name=ids][aria-label='{code}']").check()
        console.locator("#case-list button", has_text=button).click()
        expect(console.locator("#bulk-result")).to_contain_text(summary)
        # the list refreshes itself: the case has left this queue
        expect(console.locator("#case-list tr", has_text=code)).to_have_count(0)
    console.locator("label.tab", has_text="全部事件").click()
    expect(console.locator("#case-list .list-head h2")).to_contain_text("全部事件")
    expect(console.locator("#case-list tr", has_text=code)).to_contain_text("已派遣")

    # 3. The police department signs and feeds back on the case page.
    inbox = people.signed_in(world.police_handler, "/dept/", phone=False)
    inbox.locator("li.inbox-item", has_text=code).locator("a", has_text="办理").click()
    expect_state(inbox, "已派遣")
    inbox.locator("#action-sign button", has_text="签收").click()
    expect_state(inbox, "处置中")
    feedback = inbox.locator("#action-feedback")
    feedback.locator("textarea[name=note]").fill("已修剪树枝,探头视野恢复")
    feedback.locator("input[name=photos]").set_input_files(str(pictures["after"]))
    feedback.locator("button", has_text="反馈结果").click()
    expect_state(inbox, "已反馈")

    # 3b. The co-department the list suggested (urban management) has not fed back: the
    # worker's check on the phone is refused with the reason, kept in the form (R25.1) …
    worker.goto(f"{base}/m/")
    worker.locator("section.tasks").nth(1).locator(".case-card", has_text=code).locator("a").click()
    case_url = worker.url
    form = worker.locator("form[data-outbox-form=check]")
    form.locator("text=已解决,结案").click()
    form.locator("textarea[name=note]").fill("现场查看,探头已无遮挡")
    form.locator("[data-submit]").click()
    expect(form.locator("[data-error-for=general]")).to_contain_text(
        f"协办部门 {world.urban.name} 尚未反馈"
    )
    # … and the dispatcher ends its part with a reason.
    console.goto(f"{base}/console/cases/{case.pk}/")
    end = console.locator("#action-end_assignment")
    end.locator("textarea[name=reason]").fill("牵头部门已一并处置,无需城管协办")
    console.once("dialog", lambda dialog: dialog.accept())
    end.locator("button", has_text="终止协办").click()
    expect(console.locator("table.assignments")).to_contain_text("终止理由:牵头部门已一并处置")

    # 4. The worker checks on site on the phone and closes the case.
    worker.goto(f"{base}/m/")
    to_check = worker.locator("section.tasks").nth(1)
    expect(to_check.locator("h2")).to_contain_text("待核查")
    to_check.locator(".case-card", has_text=code).locator("a").click()
    assert worker.url == case_url
    expect(worker.locator("dl.facts")).to_contain_text(world.police.name)
    form = worker.locator("form[data-outbox-form=check]")
    form.locator("text=已解决,结案").click()
    form.locator("textarea[name=note]").fill("现场查看,探头已无遮挡")
    form.locator("[data-submit]").click()
    expect(form.locator("[data-form-status]")).to_contain_text(f"已提交:{code} 已结案")
    expect(worker).to_have_url(f"{base}/m/")
    expect(worker.locator("[data-recent] .case-card", has_text=code)).to_contain_text("已结案")

    # 5. The dispatcher sees who closed it, and how.
    console.goto(f"{base}/console/cases/{case.pk}/")
    expect_state(console, "已结案")
    closing = console.locator(".timeline li.event-check")
    expect(closing).to_contain_text("网格员")
    expect(closing).to_contain_text("现场查看,探头已无遮挡")

    case.refresh_from_db()
    assert case.state == State.CLOSED and case.lead_department_id == world.police.pk
    assert_archive_intact(case)
    assert people.outside == []
