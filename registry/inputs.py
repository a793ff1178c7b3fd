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
    level: str
    where: Where = Where()
    parent: StandardAddress | None = None
    road: str = ""
    number: str = ""
    name: str = ""


@dataclass(frozen=True)
class RetireAddress:
    reason: str
    successor: StandardAddress | None = None


@dataclass(frozen=True)
class NewHouse:
    address: StandardAddress
    use: str
    owner: Resident | None = None
    owner_name: str = ""
    rental_status: str = "not_rented"
    area_m2: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class HouseChanges:
    use: str | None = None
    owner: Resident | None = None
    owner_name: str | None = None
    rental_status: str | None = None
    area_m2: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewHousehold:
    number: str = ""
    address: StandardAddress | None = None
    where: Where = Where()


@dataclass(frozen=True)
class NewResident:
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
    kind: str
    started_on: dt.date
    department_kind: str = ""
    care_level: str = "low"
    visit_days: int | None = None
    note: str = ""
    client_id: str = ""


@dataclass(frozen=True)
class EndTag:
    ended_on: dt.date
    reason: str


@dataclass(frozen=True)
class Merge:
    merged: Resident
    reason: str


@dataclass(frozen=True)
class NewOrganisation:
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
    kind: str | None = None
    name: str | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    status: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewPlace:
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
    name: str | None = None
    risk_level: str | None = None
    inspection_days: int | None = None
    last_inspected_on: dt.date | None = None
    is_active: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class NewThing:
    kind: str
    where: Where
    code: str = ""
    name: str = ""
    state: str = "normal"
    owner_department: str = ""
    note: str = ""


@dataclass(frozen=True)
class ThingChanges:
    state: str | None = None
    name: str | None = None
    owner_department: str | None = None
    note: str | None = None
