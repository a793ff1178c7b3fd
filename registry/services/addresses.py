"""Standard addresses and houses (R11.1): creating an address (placed in its grid), retiring
it (with its successor), registering and updating a house."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from gridgov.text import clean_text
from regions.models import Region
from registry.actions import RegistryAction
from registry.inputs import HouseChanges, NewAddress, NewHouse, RetireAddress, Where
from registry.models import (
    HOUSE_LEVELS,
    LEVEL_DEPTH,
    AddressLevel,
    House,
    HouseUse,
    RentalStatus,
    StandardAddress,
)
from registry.services.common import (
    Actor,
    choice,
    created,
    given,
    place,
    require_editor,
    update,
    where_code,
)

ADDRESS_FIELDS = ["code", "level", "parent", "full_text", "region_code", "grid_code", "lng", "lat"]
HOUSE_FIELDS = ["address", "use", "owner", "owner_name", "rental_status", "area_m2", "note"]


def _next_code(region_code: str) -> str:
    """The village's next address code (village code + 8-digit sequence), under a lock of the
    village row so two creations never take the same number."""
    Region.objects.select_for_update().filter(code=region_code).first()
    last = StandardAddress.objects.filter(region_code=region_code).aggregate(m=Max("code"))["m"]
    sequence = int(last[12:]) + 1 if last else 1
    return f"{region_code}{sequence:08d}"


def _text(parent: StandardAddress | None, road: str, number: str, name: str) -> str:
    own = f"{road}{number}{name}" if parent is None else name
    return f"{parent.full_text}{own}" if parent is not None else own


@transaction.atomic
def create_address(actor: Actor, new: NewAddress) -> StandardAddress:
    """A standard address, below its parent (a street number at the top), placed in the grid
    its point lies in (R11.1)."""
    level = choice(new.level, AddressLevel, "level")
    parent = new.parent
    road = clean_text(new.road, "road", max_length=100)
    number = clean_text(new.number, "number", max_length=30)
    name = clean_text(new.name, "name", max_length=60)
    if level == AddressLevel.STREET_NUMBER:
        if parent is not None:
            raise DomainError(_("街路巷门牌是地址树的顶层"), field="parent", code="top_level")
        if not road or not number:
            raise DomainError(_("请填写街路巷和门牌号"), field="road", code="required")
        where = new.where
    else:
        if parent is None:
            raise DomainError(_("请指定上级地址"), field="parent", code="required")
        if parent.retired_at is not None:
            raise DomainError(_("上级地址已注销"), field="parent", code="retired_parent")
        if LEVEL_DEPTH[level] <= LEVEL_DEPTH[parent.level]:
            raise DomainError(
                _("%(level)s不能位于%(parent)s之下")
                % {"level": AddressLevel(level).label, "parent": parent.get_level_display()},
                field="level",
                code="level_order",
            )
        if not name:
            raise DomainError(_("请填写本级名称"), field="name", code="required")
        # A child without its own point stands where its parent does.
        where = Where(
            region_code=parent.region_code,
            grid_code="" if new.where.lng is not None else parent.grid_code,
            lng=new.where.lng if new.where.lng is not None else parent.lng,
            lat=new.where.lat if new.where.lat is not None else parent.lat,
        )
    region_code, grid_code = place(where)
    grant = require_editor(actor, grid_code or region_code)
    address = StandardAddress(
        code=_next_code(region_code),
        level=level,
        parent=parent,
        road=road if parent is None else parent.road,
        number=number if parent is None else parent.number,
        name=name,
        full_text=_text(parent, road, number, name)[:300],
        region_code=region_code,
        grid_code=grid_code,
        lng=where.lng,
        lat=where.lat,
    )
    created(actor, RegistryAction.ADDRESS_CREATE, address, grant, shown=ADDRESS_FIELDS)
    return address


@transaction.atomic
def retire_address(
    actor: Actor, address: StandardAddress, retire: RetireAddress
) -> StandardAddress:
    """Retire an address (renumbered, demolished), naming its successor when there is one.
    What is recorded at it stays; its current children are retired with it."""
    address = StandardAddress.objects.select_for_update().get(pk=address.pk)
    grant = require_editor(actor, where_code(address))
    if address.retired_at is not None:
        raise DomainError(_("该地址已注销"), field="address", code="already_retired")
    reason = clean_text(retire.reason, "reason", required=True, label=_("注销原因"))
    successor = retire.successor
    if successor is not None and (successor.pk == address.pk or successor.retired_at is not None):
        raise DomainError(_("继任地址须为另一个在用地址"), field="successor", code="bad_successor")
    now = timezone.now()
    changes = {"retired_at": now, "successor": successor, "retire_reason": reason}
    update(actor, RegistryAction.ADDRESS_RETIRE, address, changes, grant, note=reason)
    for child in address.children.filter(retired_at__isnull=True):
        retire_address(actor, child, RetireAddress(reason=reason))
    return address


def _check_house(use: str, rental_status: str) -> None:
    choice(use, HouseUse, "use")
    choice(rental_status, RentalStatus, "rental_status")
    if rental_status != RentalStatus.NOT_RENTED and use not in {HouseUse.RENTAL, HouseUse.MIXED}:
        raise DomainError(
            _("出租中的房屋用途须为出租或商住混用"), field="rental_status", code="not_rental"
        )


@transaction.atomic
def create_house(actor: Actor, new: NewHouse) -> House:
    """The house at an address (a building or a room; one house per address)."""
    address = new.address
    grant = require_editor(actor, where_code(address))
    if address.retired_at is not None:
        raise DomainError(_("地址已注销"), field="address", code="retired_address")
    if address.level not in HOUSE_LEVELS:
        raise DomainError(
            _("房屋须登记在门牌、楼栋或户室地址上"), field="address", code="house_level"
        )
    if House.objects.filter(address=address).exists():
        raise DomainError(_("该地址已登记房屋"), field="address", code="duplicate_house")
    _check_house(new.use, new.rental_status)
    house = House(
        address=address,
        use=new.use,
        owner=new.owner,
        owner_name=clean_text(new.owner_name, "owner_name", max_length=100),
        rental_status=new.rental_status,
        area_m2=new.area_m2,
        note=clean_text(new.note, "note", max_length=2000),
    )
    created(actor, RegistryAction.HOUSE_CREATE, house, grant, shown=HOUSE_FIELDS)
    return house


@transaction.atomic
def update_house(actor: Actor, house: House, changes: HouseChanges) -> House:
    house = House.objects.select_for_update().select_related("address").get(pk=house.pk)
    grant = require_editor(actor, where_code(house.address))
    values = given(changes)
    for text, length in (("owner_name", 100), ("note", 2000)):
        if text in values:
            values[text] = clean_text(values[text], text, max_length=length)
    _check_house(values.get("use", house.use), values.get("rental_status", house.rental_status))
    update(actor, RegistryAction.HOUSE_UPDATE, house, values, grant, fields=HOUSE_FIELDS)
    return house
