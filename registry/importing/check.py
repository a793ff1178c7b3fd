"""Checking one import row into a typed row (R11.1, R22.1), with the registry's own
validation: the resident ID check digit, birth date and region code and their agreement with
the birth date and gender given (``registry.validation``), the other documents' shapes, the
mobile number, the unified social credit code (GB 32100-2015), and where the record lies
(a village or grid of the import's jurisdiction).

A bad cell raises :class:`RowError` naming its column; what needs the database (duplicates
in the registry, the house an address names) is checked batch by batch by
:mod:`registry.importing.write`. Personal numbers are protected here, with the services'
helper (``registry.services.common.protect_into``'s ``audit.personal_data.protect_clean``),
so the digest of the blind index is ready for the duplicate rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from audit import personal_data as pd
from gridgov.errors import DomainError
from regions import index
from regions.models import Grid, Level, Region
from registry.importing.columns import choice_values, layout
from registry.models import (
    HouseRelation,
    HouseUse,
    ImportKind,
    Organisation,
    OrganisationStatus,
    RentalStatus,
    Resident,
    ResidentKind,
)
from registry.validation import IdType, check_consistent, normalize_document, normalize_uscc


class RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(slots=True)
class ResidentRow:
    row: int
    name: str
    kind: str
    id_type: str
    id_number: pd.Protected
    gender: str
    birth_date: dt.date | None
    phone: pd.Protected
    region_code: str
    grid_code: str
    address_code: str
    address_text: str
    house_relation: str
    living_since: dt.date | None
    household_number: str
    relation: str
    note: str


@dataclass(slots=True)
class HouseRow:
    row: int
    region_code: str
    grid_code: str
    road: str
    number: str
    building: str
    unit: str
    floor: str
    room: str
    lng: float | None
    lat: float | None
    use: str
    rental_status: str
    owner_name: str
    area_m2: Decimal | None
    note: str


@dataclass(slots=True)
class OrganisationRow:
    row: int
    name: str
    kind: str
    credit_code: str
    region_code: str
    grid_code: str
    address_code: str
    address_text: str
    contact_name: str
    contact_phone: pd.Protected
    status: str
    note: str


TypedRow = ResidentRow | HouseRow | OrganisationRow
NO_NUMBER = pd.Protected("", "", "")
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_ID_PURPOSE = Resident.PROTECTED_FIELDS["id_number"][1]
_PHONE_PURPOSE = Resident.PROTECTED_FIELDS["phone"][1]
_CONTACT_PURPOSE = Organisation.PROTECTED_FIELDS["contact_phone"][1]


class Checker:
    """Checks the rows of one import of ``kind`` into the jurisdiction ``scope`` (a region
    code): the villages and current grids there are read once."""

    def __init__(self, kind: str, scope: str) -> None:
        self.kind = kind
        self.scope = scope
        self.headers = {c.code: c.header for c in layout(kind)}
        self.villages = frozenset(
            Region.objects.filter(level=Level.VILLAGE, code__startswith=scope).values_list(
                "code", flat=True
            )
        )
        self.grids = dict(
            Grid.objects.current()
            .filter(code__startswith=scope)
            .values_list("code", "village__code")
        )
        self.today = timezone.localdate()
        # The grid index once per import (each ``index.locate`` asks the cache whether a grid
        # changed since it was built): an import's rows are placed in one version of the grids.
        self.grid_index = index.get_index()
        self._choices = {
            c.code: choice_values(c.choices) for c in layout(kind) if c.choices is not None
        }
        self.check: Callable[[int, dict[str, str]], TypedRow] = {
            ImportKind.RESIDENTS: self.resident,
            ImportKind.HOUSES: self.house,
            ImportKind.ORGANISATIONS: self.organisation,
        }[kind]

    # --- cells ---------------------------------------------------------------------------

    def error(self, column: str, reason: str) -> RowError:
        return RowError(self.headers.get(column, column), reason)

    def text(self, values: dict[str, str], column: str, limit: int, *, required=False) -> str:
        text = values.get(column, "").strip()
        if required and not text:
            raise self.error(column, _("必填项为空"))
        if len(text) > limit:
            raise self.error(column, _("不能超过 %(n)d 个字符") % {"n": limit})
        return text

    def choice(self, values: dict[str, str], column: str, default: str = "") -> str:
        text = values.get(column, "").strip()
        if not text:
            return default
        code = self._choices[column].get(text) or self._choices[column].get(text.lower())
        if code is None:
            raise self.error(column, _("“%(value)s”不是有效的选项") % {"value": text})
        return code

    def date(self, values: dict[str, str], column: str) -> dt.date | None:
        text = values.get(column, "").strip()
        if not text:
            return None
        found = _DATE.match(text[:10] if "T" in text or " " in text else text)
        try:
            if found is None:
                if len(text) == 8 and text.isdigit():
                    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
                raise ValueError
            day = dt.date(*(int(g) for g in found.groups()))
        except ValueError:
            raise self.error(column, _("日期格式应为 YYYY-MM-DD")) from None
        if day > self.today:
            raise self.error(column, _("日期不能晚于今天"))
        return day

    def number(self, values: dict[str, str], column: str) -> float | None:
        text = values.get(column, "").strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise self.error(column, _("应为数字")) from None

    def addressed(self, values: dict[str, str], no_village: str) -> tuple[str, str, str, str]:
        """(address code, address text, village, grid) of a row that names an address by its
        code, or by its text within a village (``no_village``: the refusal without one)."""
        address_code = self.text(values, "address_code", 20)
        address_text = self.text(values, "address_text", 300)
        region_code, grid_code = self.located(
            self.text(values, "region_code", 12),
            self.text(values, "grid_code", 15),
            needed=not address_code,
        )
        if address_text and not region_code:
            raise self.error("region_code", no_village)
        return address_code, address_text, region_code, grid_code

    def located(self, region_code: str, grid_code: str, *, needed: bool) -> tuple[str, str]:
        """(village, grid) of a row, both in the import's jurisdiction."""
        if grid_code:
            village = self.grids.get(grid_code)
            if village is None:
                raise self.error(
                    "grid_code",
                    _("网格 %(code)s 不存在、已撤销或不在导入范围内") % {"code": grid_code},
                )
            if region_code and region_code != village:
                raise self.error(
                    "grid_code",
                    _("网格 %(grid)s 不属于村(社区)%(village)s")
                    % {"grid": grid_code, "village": region_code},
                )
            return village, grid_code
        if region_code:
            if region_code not in self.villages:
                raise self.error(
                    "region_code",
                    _("村(社区)代码 %(code)s 不存在或不在导入范围 %(scope)s 内")
                    % {"code": region_code, "scope": self.scope},
                )
            return region_code, ""
        if needed:
            raise self.error("region_code", _("请填写村(社区)代码或网格编码"))
        return "", ""

    def protected(self, values: dict[str, str], column: str, purpose: str) -> pd.Protected:
        text = values.get(column, "").strip()
        if not text:
            return NO_NUMBER
        try:
            clean = pd.normalize_mobile(text, field=column)
        except DomainError as exc:
            raise self.error(column, exc.message) from None
        return pd.protect_clean(clean, kind="mobile", purpose=purpose)

    # --- kinds ---------------------------------------------------------------------------

    def resident(self, row: int, values: dict[str, str]) -> ResidentRow:
        name = self.text(values, "name", 64, required=True)
        kind = self.choice(values, "kind", ResidentKind.REGISTERED)
        id_type = self.choice(values, "id_type", IdType.RESIDENT_ID)
        gender = self.choice(values, "gender")
        birth_date = self.date(values, "birth_date")
        try:
            clean = normalize_document(id_type, values.get("id_number", ""))
            if id_type == IdType.RESIDENT_ID:
                birth_date, gender = check_consistent(clean, birth_date=birth_date, gender=gender)
        except DomainError as exc:
            raise self.error(exc.field or "id_number", exc.message) from None
        address_code, address_text, region_code, grid_code = self.addressed(
            values, _("按房屋地址查找时须填写村(社区)代码")
        )
        has_house = bool(address_code or address_text)
        house_relation = self.choice(values, "house_relation")
        if has_house and not house_relation:
            house_relation = HouseRelation.FAMILY
        elif house_relation and not has_house:
            raise self.error("house_relation", _("未指定房屋时不填与房屋关系"))
        household_number = self.text(values, "household_number", 32)
        relation = self.choice(values, "relation")
        if household_number and not relation:
            raise self.error("relation", _("有户号时须填写与户主关系"))
        if relation and not household_number:
            raise self.error("relation", _("未填户号时不填与户主关系"))
        living_since = self.date(values, "living_since")
        return ResidentRow(
            row=row,
            name=name,
            kind=kind,
            id_type=id_type,
            id_number=pd.protect_clean(clean, kind="id_number", purpose=_ID_PURPOSE),
            gender=gender,
            birth_date=birth_date,
            phone=self.protected(values, "phone", _PHONE_PURPOSE),
            region_code=region_code,
            grid_code=grid_code,
            address_code=address_code,
            address_text=address_text,
            house_relation=house_relation,
            living_since=(living_since or self.today) if has_house else None,
            household_number=household_number,
            relation=relation,
            note=self.text(values, "note", 2000),
        )

    def house(self, row: int, values: dict[str, str]) -> HouseRow:
        region_code = self.text(values, "region_code", 12, required=True)
        lng, lat = self.number(values, "lng"), self.number(values, "lat")
        if (lng is None) != (lat is None):
            raise self.error("lng", _("经度和纬度须同时填写"))
        grid_code = self.text(values, "grid_code", 15)
        if lng is not None and lat is not None:
            if not (-180 <= lng <= 180 and -90 <= lat <= 90):
                raise self.error("lng", _("坐标超出范围"))
            found = self.grid_index.locate(lng, lat)
            if found is not None:
                if found.code not in self.grids or self.grids[found.code] != region_code:
                    raise self.error(
                        "lng",
                        _("坐标位于网格 %(grid)s,不属于村(社区)%(village)s")
                        % {"grid": found.code, "village": region_code},
                    )
                grid_code = found.code
        region_code, grid_code = self.located(region_code, grid_code, needed=True)
        room = self.text(values, "room", 20)
        unit = self.text(values, "unit", 20)
        floor = self.text(values, "floor", 20)
        if (unit or floor) and not room:
            raise self.error("room", _("填写单元或楼层时须填写户室(房屋登记在门牌、楼栋或户室上)"))
        use = self.choice(values, "use")
        if not use:
            raise self.error("use", _("必填项为空"))
        rental_status = self.choice(values, "rental_status", RentalStatus.NOT_RENTED)
        if rental_status != RentalStatus.NOT_RENTED and use not in {
            HouseUse.RENTAL,
            HouseUse.MIXED,
        }:
            raise self.error("rental_status", _("出租中的房屋用途须为出租或商住混用"))
        area_text = values.get("area_m2", "").strip()
        area = None
        if area_text:
            try:
                area = Decimal(area_text).quantize(Decimal("0.01"))
            except InvalidOperation:
                raise self.error("area_m2", _("应为数字")) from None
            if area <= 0 or area >= Decimal("10000000"):
                raise self.error("area_m2", _("建筑面积应大于 0"))
        return HouseRow(
            row=row,
            region_code=region_code,
            grid_code=grid_code,
            road=self.text(values, "road", 100, required=True),
            number=self.text(values, "number", 30, required=True),
            building=self.text(values, "building", 20),
            unit=unit,
            floor=floor,
            room=room,
            lng=lng,
            lat=lat,
            use=use,
            rental_status=rental_status,
            owner_name=self.text(values, "owner_name", 100),
            area_m2=area,
            note=self.text(values, "note", 2000),
        )

    def organisation(self, row: int, values: dict[str, str]) -> OrganisationRow:
        name = self.text(values, "name", 200, required=True)
        kind = self.choice(values, "kind")
        if not kind:
            raise self.error("kind", _("必填项为空"))
        try:
            credit_code = normalize_uscc(values.get("credit_code", ""))
        except DomainError as exc:
            raise self.error("credit_code", exc.message) from None
        address_code, address_text, region_code, grid_code = self.addressed(
            values, _("按地址查找时须填写村(社区)代码")
        )
        return OrganisationRow(
            row=row,
            name=name,
            kind=kind,
            credit_code=credit_code,
            region_code=region_code,
            grid_code=grid_code,
            address_code=address_code,
            address_text=address_text,
            contact_name=self.text(values, "contact_name", 64),
            contact_phone=self.protected(values, "contact_phone", _CONTACT_PURPOSE),
            status=self.choice(values, "status", OrganisationStatus.ACTIVE),
            note=self.text(values, "note", 2000),
        )
