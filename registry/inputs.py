"""The typed inputs of the registry's services (R11.1): one frozen value object per action.

Each API serializer (``registry.api.serializers``) parses a request into one of these; the
console and the phone app will parse their forms into the same objects. References arrive as
model objects already scoped to the requesting user (``ScopedPrimaryKeyField``). The services
validate the domain rules (ID numbers, places, states); these only carry the values.
``None`` in an update means "unchanged".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.models import House, Household, Organisation, Resident, StandardAddress


@dataclass(frozen=True)
class Where:
    """Where a record lies: a point (placed in a grid by the grid index), or a grid, or a
    village (12-digit code)."""

    region_code: str = ""
    grid_code: str = ""
    lng: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class NewAddress:
    """A standard address below a village or under a parent address: a street number, a
    building, unit, floor or room (R11.1 (二), "一标多实")."""

    level: str
    where: Where = Where()
    parent: StandardAddress | None = None
    road: str = ""
    number: str = ""
    name: str = ""


@dataclass(frozen=True)
class RetireAddress:
    """An address retired (demolished, renumbered), with the reason and the address that
    succeeds it; it is kept, never deleted."""

    reason: str
    successor: StandardAddress | None = None


@dataclass(frozen=True)
class NewHouse:
    """A house (实有房屋) at a building or room address: its use, owner and rental status."""

    address: StandardAddress
    use: str
    owner: Resident | None = None
    owner_name: str = ""
    rental_status: str = "not_rented"
    area_m2: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class HouseChanges:
    """A correction of a house's use, owner, rental status, area or note."""

    use: str | None = None
    owner: Resident | None = None
    owner_name: str | None = None
    rental_status: str | None = None
    area_m2: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewHousehold:
    """A household (户), at an address or in a village; its head is set by registering a
    resident with the relation "head"."""

    number: str = ""
    address: StandardAddress | None = None
    where: Where = Where()


@dataclass(frozen=True)
class NewResident:
    """A resident (实有人口) registered with a validated ID document, in a house, a household or a
    village (R11.1 (二), R22.1: the number and phone are stored encrypted). A resend with the
    same ``client_id`` registers once."""

    kind: str
    name: str
    id_type: str
    id_number: str
    gender: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    household: Household | None = None
    relation: str = ""
    house: House | None = None
    house_relation: str = ""
    living_since: dt.date | None = None
    where: Where = Where()
    note: str = ""
    client_id: str = ""


@dataclass(frozen=True)
class ResidentChanges:
    """A correction of a resident's facts; a new ID number or phone is validated and stored
    encrypted as at registration (R22.1)."""

    kind: str | None = None
    name: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    household: Household | None = None
    relation: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class MoveIn:
    """A resident moving into a house on a date, as a member of it or a tenant."""

    house: House
    house_relation: str
    on: dt.date
    client_id: str = ""


@dataclass(frozen=True)
class StatusChange:
    """Moving out or death, on a date."""

    on: dt.date
    note: str = ""
    client_id: str = ""


@dataclass(frozen=True)
class NewTag:
    """A special or vulnerable group a resident belongs to (特殊人群、困难群体), from a date,
    with the responsible department kind, a care level and a visit frequency in days
    (R11.1 (二))."""

    kind: str
    started_on: dt.date
    department_kind: str = ""
    care_level: str = "low"
    visit_days: int | None = None
    note: str = ""
    client_id: str = ""


@dataclass(frozen=True)
class EndTag:
    """The end of a resident's membership of a special group, on a date, with the reason."""

    ended_on: dt.date
    reason: str


@dataclass(frozen=True)
class Merge:
    """Another record of the same person merged into this one, with the reason; the merged
    record is kept with its history."""

    merged: Resident
    reason: str


@dataclass(frozen=True)
class NewOrganisation:
    """An organisation (组织): an enterprise, a business, a social organisation, a school…, with
    its unified social credit code (check character validated) and contact."""

    kind: str
    name: str
    credit_code: str = ""
    address: StandardAddress | None = None
    where: Where = Where()
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""


@dataclass(frozen=True)
class OrganisationChanges:
    """A correction of an organisation's facts or its status."""

    kind: str | None = None
    name: str | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewPlace:
    """A place to watch (重点场所, e.g. the 九小场所), with its risk level and how often it is
    inspected."""

    kind: str
    name: str
    address: StandardAddress | None = None
    where: Where = Where()
    organisation: Organisation | None = None
    risk_level: str = "low"
    inspection_days: int = 30
    note: str = ""


@dataclass(frozen=True)
class PlaceChanges:
    """A correction of a place, or its last inspection."""

    name: str | None = None
    risk_level: str | None = None
    inspection_days: int | None = None
    last_inspected_on: dt.date | None = None
    is_active: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewThing:
    """A thing in the public space (部件: a fire hydrant, a camera, a manhole cover) and its
    state."""

    kind: str
    where: Where
    code: str = ""
    name: str = ""
    state: str = "normal"
    owner_department: str = ""
    note: str = ""


@dataclass(frozen=True)
class ThingChanges:
    """A change of a thing's state or its facts."""

    state: str | None = None
    name: str | None = None
    owner_department: str | None = None
    note: str | None = None
