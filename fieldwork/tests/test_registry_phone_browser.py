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


def _house_with_resident(world):
    from gridgov.testing import people as testing

    address = services.create_address(
        "test",
        inputs.NewAddress(level="street_number", where=inputs.Where(grid_code=world.grids[0].code),
                          road="江华路", number="14号"),
    )  # fmt: skip
    house = services.create_house("test", inputs.NewHouse(address=address, use="rental"))
    resident = services.register_resident(
        "test",
        inputs.NewResident(name="郑一", house=house, house_relation="tenant", kind="floating",
                           id_type="resident_id", id_number=testing.id_number(71)),
    )  # fmt: skip
    return house, resident


def test_a_correction_offline_waits_and_a_wrong_number_shows_on_its_field(
    phone, live_server, live_world
):
    """R11.1, R22.1: the resident correction goes through the outbox (a name: pending); a
    wrong ID number is answered on the ID number's own line, the form kept as typed."""
    house, resident = _house_with_resident(live_world)
    page = phone.new_page()
    page.goto(f"{live_server.url}/m/registry/houses/{house.pk}/")
    page.locator(f"[data-resident='{resident.pk}'] summary").click()
    form = page.locator(
        f"form:has(input[name=change][value=resident_update]):has(input[name=subject][value='{resident.pk}'])"
    )

    form.locator("input[name=id_number]").fill("440703198001010010")
    form.locator("[data-submit]").click()
    slot = form.locator("[data-error-for=id_number]")
    expect(slot).to_be_visible(timeout=20_000)
    expect(slot).to_contain_text("身份证号码")
    assert not Proposal.objects.exists()

    phone.set_offline(True)
    form.locator("input[name=id_number]").fill("")
    form.locator("input[name=name]").fill("郑一一")
    form.locator("[data-submit]").click()
    expect(form.locator("[data-form-status]")).to_contain_text("待发送")
    assert not Proposal.objects.exists()
    phone.set_offline(False)
    expect(page.locator("[data-outbox]")).to_be_hidden(timeout=20_000)
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.status, proposal.subject_id) == (
        "resident_update", "pending", resident.pk,
    )  # fmt: skip
    assert proposal.payload.get("name") == "郑一一" and proposal.lng is not None
