"""The notification centre in a real browser (issue 10 "alerts reach people"; R26.1, R24.2,
R22.1): a dispatcher on the console sees the badge count rise without reloading when an urgent
case is reported, with the console's cue (banner, tone, mute remembered); opens the list,
follows the link to the case and marks the notification read. Server text is shown as text.
"""

from __future__ import annotations

from typing import Any

import pytest

from cases import services
from cases.inputs import ReportInput
from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = '<img src=x onerror="window.__hacked=1">井盖缺失'


@pytest.fixture
def page(page, settings):
    """The shared page, polling every second, left quiet after the test (the server thread
    shares the test database)."""
    settings.GRIDGOV = {**settings.GRIDGOV, "NOTIFICATION_POLL_SECONDS": 1}
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def urgent_report(world: Any, description: str) -> Case:
    lng, lat = world.point
    return services.intake(
        world.worker,
        ReportInput(
            lng=lng, lat=lat, matter=world.entry_code, description=description, urgent=True
        ),
    ).case


def test_r26_1_a_dispatcher_sees_an_urgent_case_arrive_opens_it_and_marks_it_read(
    live_world, live_server, page, login_as
):
    world = live_world
    login_as(world.dispatcher)
    page.goto(f"{live_server.url}/console/")
    badge = page.locator("#notify-badge")
    assert badge.get_attribute("data-count") == "0"
    assert page.locator("[data-cue-banner]").is_hidden()
    page.locator("h1").click()  # a gesture: the page may play sound from now on

    case = urgent_report(world, HOSTILE)
    page.wait_for_selector("#notify-badge[data-count='1']", timeout=10_000)  # no reload
    assert page.locator("#notify-badge .notify-count").inner_text() == "1"
    banner = page.locator("[data-cue-banner]")
    banner.wait_for(state="visible")
    assert case.tracking_code in banner.inner_text()
    assert HOSTILE in banner.locator("[data-cue-text]").inner_text()  # as text, not markup
    assert page.evaluate("window.__hacked") is None
    assert page.locator("[data-cue-banner] img").count() == 0
    assert banner.get_attribute("data-sound") in {"played", "blocked", "unavailable"}
    assert banner.get_attribute("data-cues") == "1"

    # the mute toggle is remembered across pages
    toggle = page.locator("[data-cue-toggle]")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("[data-cue-toggle]").get_attribute("aria-pressed") == "true"
    assert page.locator("[data-cue-toggle]").inner_text() == "提示音:关"

    # the list, the link to the case, marking read
    page.locator("#notify-badge").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    entry = page.locator("li.notice.unread")
    assert entry.count() == 1 and HOSTILE in entry.inner_text()
    entry.locator("a.notice-text").click()
    page.wait_for_url(f"{live_server.url}/console/cases/{case.pk}/")
    assert case.tracking_code in page.locator("h1").inner_text()
    page.go_back()
    page.wait_for_url(f"{live_server.url}/notifications/")
    page.locator("li.notice.unread button", has_text="标为已读").click()
    page.wait_for_selector("li.notice:not(.unread)")
    page.wait_for_selector("#notify-badge[data-count='0']", timeout=10_000)
    assert page.errors == []
