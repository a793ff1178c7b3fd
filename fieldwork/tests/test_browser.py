"""The phone app in a real browser on a 360-px phone: report with GPS and a camera photo, and
the offline queue (R24.1)."""

from __future__ import annotations

import json

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from cases import services
from cases.inputs import ReportInput
from cases.models import Case, State
from gridgov.testing.browser import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_service_worker(page) -> None:
    """Until the app's service worker controls the page (it claims its clients)."""
    wait_until(page, "!!(navigator.serviceWorker && navigator.serviceWorker.controller)")


def fill_report(page, description: str) -> None:
    expect(page.locator("[data-gps-status]")).to_contain_text("已定位")
    page.fill("[data-matter-search]", "占道")
    expect(page.locator(".matter-option:visible")).to_have_count(1)
    page.locator(".matter-option:visible").click()
    page.fill("textarea[name=description]", description)


def test_worker_reports_a_case_with_gps_and_a_photo(phone, live_server, live_world, big_photo):
    """A worker on the phone: GPS places the report, the photo is shrunk on the phone to
    1600 px before upload, the matter comes from the county's list; the case is in the API."""
    world = live_world
    page = phone.new_page()
    outside: list[str] = []
    local = (live_server.url, "blob:", "data:")
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto(f"{live_server.url}/m/")
    page.click("text=上报事件")
    fill_report(page, "人行道上摆摊,行人绕行")
    page.set_input_files("[data-photo-input]", str(big_photo))
    expect(page.locator("[data-thumbs] img")).to_have_count(1)
    page.check("text=紧急")
    page.click("[data-submit]")
    expect(page.locator("[data-form-status]")).to_contain_text("已上报,查询码")

    case = Case.objects.get()
    assert case.state == State.VERIFIED and case.matter_code == world.settle_code
    assert case.urgency == "urgent" and case.grid_code == world.grids[0].code
    lng, lat = world.point
    assert abs(case.lng - lng) < 1e-5 and abs(case.lat - lat) < 1e-5
    photo = case.attachments.get()
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 1600, 1067)
    assert photo.original_name == "IMG_0001.jpg"
    assert case.tracking_code in page.locator("[data-form-status]").inner_text()

    listed = json.loads(page.request.get(f"{live_server.url}/api/v1/cases/").text())
    assert [c["tracking_code"] for c in listed["results"]] == [case.tracking_code]
    assert outside == []  # no CDN, no tiles


def test_offline_report_waits_on_the_phone_and_is_sent_once_when_online(
    phone, live_server, live_world
):
    """Without a network the report is kept on the phone ("待发送"), survives a reload (the
    service worker serves the app), and is sent when the network returns: one case."""
    world = live_world
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/report/")
    wait_for_service_worker(page)

    phone.set_offline(True)
    fill_report(page, "消防通道被占用")
    page.click("[data-submit]")
    expect(page.locator("[data-form-status]")).to_contain_text("待发送")
    outbox = page.locator("[data-outbox-list] li")
    expect(outbox).to_have_count(1)
    expect(outbox).to_contain_text("占道经营")
    expect(outbox).to_contain_text("待发送")
    assert not Case.objects.exists()

    served: list[str] = []
    record = lambda sender, environ, **kw: served.append(environ["PATH_INFO"])  # noqa: E731
    request_started.connect(record)
    try:
        page.reload()  # still offline: the service worker serves the page from its cache
        expect(page.locator("[data-offline-banner]")).to_be_visible()
        expect(page.locator("[data-outbox-list] li")).to_have_count(1)
        expect(page.locator("#pick-map .leaflet-marker-icon")).to_be_visible()  # cached Leaflet
        assert served == []  # the page and its files came from the phone, not the server
        assert not Case.objects.exists()

        phone.set_offline(False)
        expect(page.locator("[data-outbox]")).to_be_hidden(timeout=20_000)
    finally:
        request_started.disconnect(record)
    assert served.count("/api/v1/cases/") == 1  # sent once
    case = Case.objects.get()
    assert case.description == "消防通道被占用" and case.reporter == world.worker


def test_a_report_whose_answer_is_lost_is_resent_and_stored_once(phone, live_server, live_world):
    """The worst case of a bad connection: the server stores the report but the answer never
    reaches the phone. The phone keeps it and sends it again; the server recognises the
    client_id and answers with the same case (R24.1: resending never duplicates)."""
    page = phone.new_page()
    lost: list[str] = []

    def lose_the_first_answer(route):
        if lost:
            route.continue_()
            return
        route.fetch()  # the server gets it and stores the case…
        lost.append(route.request.url)
        route.abort("connectionreset")  # …and the phone never hears back

    page.route("**/api/v1/cases/", lose_the_first_answer)
    page.goto(f"{live_server.url}/m/report/")
    fill_report(page, "占道堆放建材")
    page.click("[data-submit]")
    expect(page.locator("[data-form-status]")).to_contain_text("稍后自动重试")
    assert lost and Case.objects.count() == 1
    expect(page.locator("[data-outbox-list] li")).to_have_count(1)

    page.click("[data-outbox-send]")
    expect(page.locator("[data-outbox]")).to_be_hidden()
    assert Case.objects.count() == 1


def test_r24_1_a_queued_report_refused_as_a_conflict_waits_for_the_worker(
    phone, live_server, live_world
):
    """R24.1, R22.1: a queued report whose client_id the server already holds for another
    report gets 409: the phone shows it with the stored case's code and does not resend it
    again and again; the worker sends it as a new report (a new key) or deletes it. The
    involved persons typed into the form go as the one JSON list every channel sends."""
    world = live_world
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/report/")
    wait_for_service_worker(page)
    phone.set_offline(True)
    fill_report(page, "门口摊贩占道,与店主争执")
    page.click("text=涉及人员(选填)")
    page.fill("[name=involved-0-name]", "张三")
    page.fill("[name=involved-0-phone]", "13800138000")
    page.click("[data-submit]")
    expect(page.locator("[data-form-status]")).to_contain_text("待发送")
    (key,) = page.evaluate("GridgovOutbox.all().then(items => items.map(i => i.id))")
    # Meanwhile the server holds another report under that key.
    lng, lat = world.point
    report = ReportInput(
        lng=lng, lat=lat, matter=world.settle_code, description="别的事", client_id=key
    )
    stored = services.intake(world.worker, report).case

    sent: list[str] = []
    record = lambda sender, environ, **kw: sent.append(environ["PATH_INFO"])  # noqa: E731
    request_started.connect(record)
    try:
        phone.set_offline(False)
        item = page.locator("[data-outbox-list] li")
        expect(item).to_contain_text(stored.tracking_code, timeout=20_000)
        expect(item).to_contain_text("内容不同")
        page.wait_for_timeout(3000)  # a retry would come within seconds
        assert sent.count("/api/v1/cases/") == 1
        page.click("[data-outbox-renew]")
        expect(page.locator("[data-outbox]")).to_be_hidden(timeout=20_000)
    finally:
        request_started.disconnect(record)
    new = Case.objects.exclude(pk=stored.pk).get()
    assert new.description == "门口摊贩占道,与店主争执"
    assert [(p.name, p.phone_masked) for p in new.involved_persons.all()] == [
        ("张三", "138****8000")
    ]
    assert Case.objects.get(pk=stored.pk).description == "别的事"
