"""R11.1: standard addresses form a tree below a village, are placed in their grid by the grid
index, keep their history when retired; a house stands at one address."""

from __future__ import annotations

import pytest

from audit.models import AuditRecord
from gridgov.errors import DomainError, Forbidden
from gridgov.testing import people as testing
from registry import inputs, services
from registry.models import StandardAddress
from registry.tests import world as w

pytestmark = pytest.mark.django_db


def test_a_street_number_is_placed_in_the_grid_its_point_lies_in():
    address = w.street()
    assert address.grid_code == w.GRID
    assert address.region_code == w.VILLAGE
    assert address.code == f"{w.VILLAGE}00000001"
    assert address.full_text == "白沙大道8号"
    record = AuditRecord.objects.get(action="registry.address.create", object_id=str(address.pk))
    assert record.region_code == w.GRID


def test_children_inherit_point_and_grid_and_codes_follow_in_sequence():
    top = w.street()
    building = services.create_address(
        w.ACTOR, inputs.NewAddress(level="building", parent=top, name="3栋")
    )
    room = services.create_address(
        w.ACTOR, inputs.NewAddress(level="room", parent=building, name="502室")
    )
    assert room.full_text == "白沙大道8号3栋502室"
    assert (room.grid_code, room.lng) == (w.GRID, top.lng)
    assert room.code == f"{w.VILLAGE}00000003"


@pytest.mark.parametrize(
    ("level", "parent", "code"),
    [("street_number", True, "top_level"), ("room", False, "required")],
)
def test_the_tree_is_kept(level, parent, code):
    top = w.street()
    with pytest.raises(DomainError) as refused:
        services.create_address(
            w.ACTOR,
            inputs.NewAddress(
                level=level, parent=top if parent else None, name="x", road="r", number="1"
            ),
        )
    assert refused.value.code == code


def test_a_child_lies_deeper_than_its_parent():
    building = services.create_address(
        w.ACTOR, inputs.NewAddress(level="building", parent=w.street(), name="1栋")
    )
    with pytest.raises(DomainError) as refused:
        services.create_address(
            w.ACTOR, inputs.NewAddress(level="building", parent=building, name="2栋")
        )
    assert refused.value.code == "level_order"


def test_a_point_outside_the_given_village_is_refused():
    w.located_grid()
    testing.ensure_region("440703002102")
    lng, lat = w.CENTRE
    with pytest.raises(DomainError) as refused:
        services.create_address(
            w.ACTOR,
            inputs.NewAddress(
                level="street_number",
                where=inputs.Where(region_code="440703002102", lng=lng, lat=lat),
                road="r",
                number="1",
            ),
        )
    assert refused.value.code == "outside_village"


def test_retiring_keeps_the_address_with_its_successor_and_retires_its_children():
    top = w.street()
    child = w.room(top)
    successor = w.street(number="10号")
    services.retire_address(w.ACTOR, top, inputs.RetireAddress("门牌整顿", successor=successor))
    top.refresh_from_db()
    child.refresh_from_db()
    assert top.retired_at is not None and top.successor == successor
    assert child.retired_at is not None
    assert StandardAddress.objects.filter(pk=top.pk).exists()
    with pytest.raises(DomainError):
        services.retire_address(w.ACTOR, top, inputs.RetireAddress("again"))


def test_a_grid_worker_of_another_grid_may_not_add_addresses_there():
    w.located_grid()
    outsider = testing.make_user("grid_worker_fulltime", "440703002102001")
    lng, lat = w.CENTRE
    with pytest.raises(Forbidden):
        services.create_address(
            outsider,
            inputs.NewAddress(
                level="street_number",
                where=inputs.Where(lng=lng, lat=lat),
                road="r",
                number="1",
            ),
        )


def test_one_house_per_address_and_rental_needs_a_rental_use():
    address = w.room()
    w.house(address)
    with pytest.raises(DomainError) as refused:
        w.house(address)
    assert refused.value.code == "duplicate_house"
    with pytest.raises(DomainError) as refused:
        w.house(w.room(name="102室"), rental_status="whole")
    assert refused.value.code == "not_rental"
    house = w.house(w.room(name="103室"), use="rental", rental_status="shared")
    services.update_house(w.ACTOR, house, inputs.HouseChanges(owner_name="李四"))
    house.refresh_from_db()
    assert house.owner_name == "李四"
