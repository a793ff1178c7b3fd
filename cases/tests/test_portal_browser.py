"""The resident portal in a real browser on a phone (R18.1): report on the map with a photo,
keep the tracking code, follow the case, rate it once it is closed."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases import services
from cases.models import Case, State
from gridgov.testing.browser import PHONE, tap_on_map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def close(world, case):
    services.verify(world.worker, case.pk, note="现场属实")
    services.accept(world.dispatcher, case.pk)
    services.dispatch(world.dispatcher, case.pk, co_departments=[])
    services.sign(world.police_handler, case.pk)
    services.feedback(world.police_handler, case.pk, note="已加装路灯")
    return services.check(world.dispatcher, case.pk, passed=True)


def test_resident_reports_follows_and_rates_on_a_phone(browser, live_server, live_world, tmp_path):
    world = live_world
    picture = tmp_path / "street.jpg"
    Image.new("RGB", (2400, 3200), "#8899aa").save(picture, "JPEG")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    outside: list[str] = []
    local = (live_server.url, "blob:", "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))

    page.goto(f"{live_server.url}/")
    page.click(".portal-report a")
    expect(page.locator("h1")).to_have_text("我要反映")
    lng, lat = world.point
    tap_on_map(page, "portal-map", lng, lat)
    expect(page.locator("[data-place]")).to_contain_text("测试网格1")
    page.fill("[data-matter-search]", "治安")
    page.locator(".matter-option:visible", has_text="治安隐患排查").click()
    page.fill("textarea[name=description]", "小区后门路灯不亮,晚上很黑")
    page.fill("input[name=reporter_phone]", "13912345678")
    page.set_input_files("[data-photo-input]", str(picture))
    expect(page.locator("[data-thumbs] img")).to_have_count(1)
    page.click("[data-submit]")

    code_box = page.locator("[data-tracking-code]")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    case = Case.objects.get()
    assert code == case.tracking_code and case.state == State.REPORTED
    assert abs(case.lng - lng) < 1e-4 and abs(case.lat - lat) < 1e-4
    photo = case.attachments.get()
    assert max(photo.width, photo.height) == 1600  # shrunk on the phone
    assert case.reporter_phone_masked == "139****5678"

    close(world, case)
    page.goto(f"{live_server.url}/public/track/")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit]")
    expect(page.locator("ol.timeline")).to_contain_text("核查通过,结案")
    expect(page.locator("ol.timeline")).to_contain_text(world.police.name)
    assert "13912345678" not in page.content() and "139****5678" not in page.content()
    page.check("input[value=satisfied]")
    page.fill("textarea[name=comment]", "很快就修好了")
    page.click("text=提交评价")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价")
    expect(page.locator("main")).to_contain_text("满意")
    case.refresh_from_db()
    assert (case.state, case.rating) == (State.EVALUATED, "satisfied")
    assert outside == []
    context.close()
