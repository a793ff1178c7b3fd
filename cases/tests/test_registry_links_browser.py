"""The phone's report form names a registry resident by its number (issue 12, R22.1, R24.1,
ADR 0010): the outbox sends the person row as the one JSON list every channel sends."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cases.tests.test_registry_links import make_resident
from fieldwork.tests.conftest import phone
from fieldwork.tests.test_browser import fill_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["phone"]  # the fixture, shared with the phone app's tests


def test_r22_1_the_phone_links_a_resident_by_its_number(phone, live_server, live_world):
    """R22.1, R24.1: a worker types a registry resident's number in a person's row instead
    of a name and numbers; the report's person is that resident, shown masked."""
    world = live_world
    resident = make_resident(world.grids[0].code)
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/report/")
    fill_report(page, "门口摊贩占道,与店主争执")
    page.click("text=涉及人员(选填)")
    page.fill("[name=involved-0-resident]", str(resident.pk))
    page.click("[data-submit]")
    expect(page.locator("[data-form-status]")).to_contain_text("已上报,查询码", timeout=20_000)
    person = Case.objects.get().involved_persons.get()
    assert person.resident_id == resident.pk and person.name == ""
    assert person.phone_shown == "136****5678"
