"""The phone's basic-information forms in a real browser (R11.1 (二)): a resident added
without a network waits in the outbox and is sent once, with its GPS fix, when the network
returns."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from registry import inputs, services
from registry.models import Proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_added_offline_is_proposed_once_when_online(phone, live_server, live_world):
    world = live_world
    grid = world.grids[0].code
    address = services.create_address(
        "test",
        inputs.NewAddress(level="street_number", where=inputs.Where(grid_code=grid),
                          road="江华路", number="12号"),
    )  # fmt: skip
    house = services.create_house("test", inputs.NewHouse(address=address, use="rental"))
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/registry/houses/{house.pk}/")
    form = page.locator("form:has(input[name=change][value=resident_add])")

    phone.set_offline(True)
    form.locator("input[name=name]").fill("吴十")
    form.locator("input[name=id_number]").fill("440703198501010019")
    form.locator("select[name=house_relation]").select_option("tenant")
    form.locator("[data-submit]").click()
    expect(form.locator("[data-form-status]")).to_contain_text("待发送")
    expect(page.locator("[data-outbox-list] li")).to_have_count(1)
    assert not Proposal.objects.exists()

    phone.set_offline(False)
    expect(page.locator("[data-outbox]")).to_be_hidden(timeout=20_000)
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status, proposal.subject_id) == ("resident_add", "pending",
                                                                      house.pk)  # fmt: skip
    lng, lat = world.point
    assert abs(proposal.lng - lng) < 1e-5 and abs(proposal.lat - lat) < 1e-5
    assert proposal.device_time is not None and proposal.client_id
    assert "440703198501010019" not in str(proposal.payload)
