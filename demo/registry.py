"""Demo step: a believable registry for a few villages of 蓬江区 (R11.1, R22.1).

For the first :data:`VILLAGES` villages of 白沙街道 that have grids: street numbers with their
buildings and rooms at points inside the grids (so the grid index places them), a house in
every room, households with their head, spouse, children and parents living in them, floating
tenants in the rented rooms, a few hundred organisations with valid unified social credit
codes, places (九小场所 and crowded places) and things, and special-group tags in realistic
proportions. Everything is synthetic and deterministic (seeded): the ID numbers have the
format, the 蓬江 region code 440703, a birth date and gender that agree and a correct check
digit, but belong to nobody.

Houses, residents and organisations go through the import's checks and set-based writer
(``registry.services.imports.import_rows``: one audit record per kind); places, things and
tags, which have no import layout, are written set-based here as the system.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from collections.abc import Iterator

import numpy as np
import shapely
from django.utils import timezone

from audit import personal_data as pd
from demo.people import GIVEN, PENGJIANG, SURNAMES
from regions.models import Grid
from registry.models import (
    Organisation,
    Place,
    PlaceKind,
    Resident,
    RiskLevel,
    SpecialGroupTag,
    StandardAddress,
    Thing,
    ThingKind,
)
from registry.services.imports import import_rows
from registry.validation import USCC_CHARS, uscc_check_char
from registry.visibility import RULES, SpecialGroupKind

ACTOR = "demo"
BAISHA = "440703002"  # 白沙街道
VILLAGES = 4
RESIDENTS_PER_VILLAGE = 6000  # about 24,000 residents in all
ROADS = ("白沙大道", "建设路", "跃进路", "堤中路", "水南路", "篁庄大道", "丰乐路", "农林路",
         "紫茶路", "甘化路", "永盛路", "港口路")  # fmt: skip
BUSINESS = ("五金店", "士多店", "茶餐厅", "粮油店", "理发店", "药房", "快递站", "汽修店",
            "服装店", "烧腊店", "水果店", "维修部")  # fmt: skip
# Per resident, the chance of a tag of each kind (of those the kind can apply to).
TAG_RATES = {
    SpecialGroupKind.ELDERLY_ALONE: 0.20,  # of residents aged 65 and over (≈4 % of all)
    SpecialGroupKind.SUBSISTENCE_ALLOWANCE: 0.02,
    SpecialGroupKind.DISABLED: 0.06,
    SpecialGroupKind.EXTREME_POVERTY: 0.003,
    SpecialGroupKind.LEFT_BEHIND_CHILD: 0.06,  # of children under 16
    SpecialGroupKind.KEY_YOUTH: 0.01,  # of 14–25 year olds
    SpecialGroupKind.SEVERE_MENTAL_DISORDER: 0.004,
    SpecialGroupKind.RELEASED_PRISONER: 0.002,
    SpecialGroupKind.COMMUNITY_CORRECTION: 0.001,
    SpecialGroupKind.DRUG_RELATED: 0.001,
}


def _rng(*parts: str) -> random.Random:
    return random.Random(zlib.crc32("|".join(("registry", *parts)).encode()))


def _name(rng: random.Random, surname: str | None = None) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.75 else "")
    return (surname or rng.choice(SURNAMES)) + given


def _id_number(rng: random.Random, born: dt.date, male: bool, used: set[str]) -> str:
    while True:
        sequence = rng.randrange(0, 100) * 10 + rng.choice(
            (1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8)
        )
        first17 = f"{PENGJIANG}{born:%Y%m%d}{sequence:03d}"
        number = first17 + pd.id_check_char(first17)
        if number not in used:
            used.add(number)
            return number


def _mobile(rng: random.Random) -> str:
    return rng.choice(("135", "136", "137", "138", "139", "150", "158", "188")) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def _birth(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randrange(low * 365 + 1, high * 365 + 300))


def _uscc(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "92" if rng.random() < 0.6 else "91"  # 个体工商户 / 企业
        first17 = body + PENGJIANG + "".join(rng.choice(USCC_CHARS) for _ in range(9))
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _points(geometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """n points inside a grid's polygon (its interior shrunk a little, off the borders)."""
    inner = geometry.buffer(-0.0002)
    if inner.is_empty:
        inner = geometry
    shapely.prepare(inner)
    minx, miny, maxx, maxy = inner.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        xs = np.array([rng.uniform(minx, maxx) for _ in range(max(64, 4 * n))])
        ys = np.array([rng.uniform(miny, maxy) for _ in range(len(xs))])
        inside = shapely.contains_xy(inner, xs, ys)
        points.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    return [(round(x, 6), round(y, 6)) for x, y in points[:n]]


class Plan:
    """What one village gets: its streets with their points, rooms, households."""

    def __init__(self, village: str, grids: list[Grid], residents: int) -> None:
        self.village = village
        self.rng = _rng(village)
        self.grids = grids
        self.residents = residents
        # about 3 residents per household, one household per room, 6 rooms per building
        rooms = max(1, residents // 3)
        buildings = max(1, rooms // 6)
        per_street = 3
        self.streets: list[tuple[str, str, float, float]] = []
        grid_points = {
            g.code: _points(g.geometry, max(1, buildings // per_street // len(grids) + 1), self.rng)
            for g in grids
        }
        n = 0
        while len(self.streets) * per_street < buildings:
            grid = grids[n % len(grids)]
            points = grid_points[grid.code]
            lng, lat = points[(n // len(grids)) % len(points)]
            road = ROADS[(n * 7 + len(village)) % len(ROADS)]
            self.streets.append((road, f"{n + 1}号", lng, lat))
            n += 1
        self.rooms: list[tuple[int, str, str]] = []  # (street index, building, room)
        for b in range(buildings):
            for floor in range(1, 4):
                for door in (1, 2):
                    if len(self.rooms) < rooms:
                        self.rooms.append((b % len(self.streets), f"{b // len(self.streets) + 1}栋",
                                           f"{floor}0{door}室"))  # fmt: skip

    def room_text(self, index: int) -> str:
        street, building, room = self.rooms[index]
        road, number, _lng, _lat = self.streets[street]
        return f"{road}{number}{building}{room}"


def _house_rows(plans: list[Plan]) -> Iterator[tuple[int, dict[str, str]]]:
    row = 1
    for plan in plans:
        rng = _rng(plan.village, "houses")
        for street, building, room in plan.rooms:
            road, number, lng, lat = plan.streets[street]
            rented = rng.random() < 0.15
            row += 1
            yield (
                row,
                {
                    "region_code": plan.village,
                    "road": road,
                    "number": number,
                    "building": building,
                    "room": room,
                    "lng": str(lng),
                    "lat": str(lat),
                    "use": "rental" if rented else "residential",
                    "rental_status": "whole" if rented else "not_rented",
                    "area_m2": str(rng.randrange(45, 140)),
                },
            )


def _resident_rows(plans: list[Plan], today: dt.date) -> Iterator[tuple[int, dict[str, str]]]:
    used: set[str] = set()
    row = 1

    def person(rng, plan, name, born, male, **extra):
        nonlocal row
        row += 1
        return row, {
            "name": name,
            "id_number": _id_number(rng, born, male, used),
            "phone": _mobile(rng) if rng.random() < 0.7 else "",
            "region_code": plan.village,
            **extra,
        }

    for plan in plans:
        rng = _rng(plan.village, "residents")
        made = 0
        for index in range(len(plan.rooms)):
            if made >= plan.residents:
                break
            text = plan.room_text(index)
            since = (today - dt.timedelta(days=rng.randrange(30, 6000))).isoformat()
            where = {"address_text": text, "living_since": since}
            if rng.random() < 0.15:  # a rented room: floating tenants, no household here
                for _ in range(rng.choice((1, 1, 2, 3))):
                    male = rng.random() < 0.55
                    yield person(rng, plan, _name(rng), _birth(rng, today, 18, 50), male,
                                 kind="floating", house_relation="tenant", **where)  # fmt: skip
                    made += 1
                continue
            household = f"{plan.village[-6:]}{index + 1:05d}"
            surname = rng.choice(SURNAMES)
            head_male = rng.random() < 0.7
            elderly_alone = rng.random() < 0.08
            head_born = _birth(rng, today, 66, 92) if elderly_alone else _birth(rng, today, 28, 75)
            family = {"household_number": household, "kind": "registered", **where}
            yield person(rng, plan, _name(rng, surname), head_born, head_male,
                         relation="head", house_relation="owner", **family)  # fmt: skip
            made += 1
            if elderly_alone:
                continue
            age = (today - head_born).days // 365
            if rng.random() < 0.85:
                spouse_born = head_born + dt.timedelta(days=rng.randrange(-1500, 1500))
                yield person(rng, plan, _name(rng), min(spouse_born, today), not head_male,
                             relation="spouse", house_relation="family", **family)  # fmt: skip
                made += 1
            if 24 <= age <= 60:
                for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                    born = _birth(rng, today, max(0, age - 45), max(1, age - 22))
                    yield person(rng, plan, _name(rng, surname), born, rng.random() < 0.52,
                                 relation="child", house_relation="family", **family)  # fmt: skip
                    made += 1
                if age >= 35 and rng.random() < 0.3:
                    born = _birth(rng, today, age + 22, min(95, age + 35))
                    yield person(rng, plan, _name(rng, surname), born, rng.random() < 0.45,
                                 relation="parent", house_relation="family", **family)  # fmt: skip
                    made += 1


def _organisation_rows(plans: list[Plan]) -> Iterator[tuple[int, dict[str, str]]]:
    used: set[str] = set()
    row = 1
    for plan in plans:
        rng = _rng(plan.village, "organisations")
        for n in range(75):
            road, number, _lng, _lat = plan.streets[n % len(plan.streets)]
            code = _uscc(rng, used)
            kind = "individual_business" if code.startswith("92") else "enterprise"
            row += 1
            yield (
                row,
                {
                    "name": f"江门市蓬江区{road}{rng.choice(BUSINESS)}{n + 1}",
                    "kind": kind,
                    "credit_code": code,
                    "region_code": plan.village,
                    "address_text": f"{road}{number}",
                    "contact_name": _name(rng),
                    "contact_phone": _mobile(rng),
                },
            )


def _places_and_things(plans: list[Plan], today: dt.date) -> tuple[int, int]:
    places, things = [], []
    small = [k for k in PlaceKind.values if k.startswith("small_")]
    for plan in plans:
        rng = _rng(plan.village, "places")
        streets = {
            a.full_text: a
            for a in StandardAddress.objects.filter(region_code=plan.village, level="street_number")
        }
        organisations = list(Organisation.objects.filter(region_code=plan.village).order_by("pk"))
        for n, organisation in enumerate(organisations[:40]):
            address = organisation.address
            kind = small[n % len(small)]
            places.append(Place(
                kind=kind, name=organisation.name, address=address, organisation=organisation,
                region_code=address.region_code, grid_code=address.grid_code,
                lng=address.lng, lat=address.lat,
                risk_level=rng.choice((RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM,
                                       RiskLevel.HIGH)),
                inspection_days=rng.choice((30, 30, 60, 90)),
                last_inspected_on=today - dt.timedelta(days=rng.randrange(0, 80)),
            ))  # fmt: skip
        for kind, name in (("market", "农贸市场"), ("campus", "小学"), ("elderly_care", "颐养院")):
            address = streets[sorted(streets)[rng.randrange(len(streets))]]
            places.append(Place(
                kind=kind, name=f"{address.road}{name}", address=address,
                region_code=address.region_code, grid_code=address.grid_code,
                lng=address.lng, lat=address.lat, risk_level=RiskLevel.MEDIUM,
                inspection_days=30,
            ))  # fmt: skip
        for grid in plan.grids:
            for n, (lng, lat) in enumerate(_points(grid.geometry, 12, rng)):
                kind = (ThingKind.FIRE_HYDRANT, ThingKind.CAMERA, ThingKind.MANHOLE_COVER,
                        ThingKind.STREET_LAMP)[n % 4]  # fmt: skip
                things.append(Thing(
                    kind=kind, code=f"{grid.code[-6:]}-{n + 1:03d}", region_code=plan.village,
                    grid_code=grid.code, lng=lng, lat=lat,
                    state="damaged" if rng.random() < 0.05 else "normal",
                    owner_department="蓬江区城市管理和综合执法局",
                ))  # fmt: skip
    Place.objects.bulk_create(places, batch_size=1000)
    Thing.objects.bulk_create(things, batch_size=1000)
    return len(places), len(things)


def _eligible(kind: str, age: int) -> bool:
    if kind == SpecialGroupKind.ELDERLY_ALONE:
        return age >= 65
    if kind == SpecialGroupKind.LEFT_BEHIND_CHILD:
        return age < 16
    if kind == SpecialGroupKind.KEY_YOUTH:
        return 14 <= age <= 25
    if kind in {SpecialGroupKind.RELEASED_PRISONER, SpecialGroupKind.COMMUNITY_CORRECTION,
                SpecialGroupKind.DRUG_RELATED}:  # fmt: skip
        return 18 <= age <= 65
    return True


def _tags(villages: list[str], today: dt.date) -> int:
    tags = []
    rng = _rng("tags", *villages)
    household_sizes: dict[int, int] = {}
    rows = Resident.objects.filter(region_code__in=villages).values_list(
        "pk", "birth_date", "region_code", "grid_code", "household_id"
    )
    rows = list(rows.order_by("pk"))
    for _pk, _born, _v, _g, household in rows:
        if household:
            household_sizes[household] = household_sizes.get(household, 0) + 1
    for pk, born, village, grid, household in rows:
        age = (today - born).days // 365
        for kind, rate in TAG_RATES.items():
            if not _eligible(kind, age):
                continue
            if kind == SpecialGroupKind.ELDERLY_ALONE:
                rate = 0.9 if household and household_sizes[household] == 1 else 0.03
            if rng.random() >= rate:
                continue
            rule = RULES[kind]
            started = today - dt.timedelta(days=rng.randrange(20, 1500))
            visited = started + dt.timedelta(days=rng.randrange(0, (today - started).days + 1))
            visited = visited if rng.random() < 0.8 else None
            tags.append(SpecialGroupTag(
                resident_id=pk, kind=kind, started_on=started, department_kind=rule.responsible,
                care_level=rng.choice(("low", "low", "medium", "high")),
                visit_days=rule.visit_days, last_visited_on=visited,
                next_visit_on=(visited or started) + dt.timedelta(days=rule.visit_days),
                region_code=village, grid_code=grid,
            ))  # fmt: skip
    SpecialGroupTag.objects.bulk_create(tags, batch_size=2000)
    return len(tags)


def _villages(count: int) -> dict[str, list[Grid]]:
    grids = Grid.objects.current().filter(code__startswith=BAISHA).order_by("code")
    chosen: dict[str, list[Grid]] = {}
    for grid in grids:
        if grid.geometry_wkb is None:
            continue
        village = grid.code[:12]
        if village not in chosen and len(chosen) >= count:
            break
        chosen.setdefault(village, []).append(grid)
    return chosen


def load(villages: int = VILLAGES, residents_per_village: int = RESIDENTS_PER_VILLAGE) -> str:
    """Build the registry of the first ``villages`` villages of 白沙街道 (tests use fewer)."""
    started, cpu = time.perf_counter(), time.process_time()
    today = timezone.localdate()
    chosen = _villages(villages)
    if not chosen:
        return "registry: no 白沙街道 villages with grids, nothing to do"
    plans = [Plan(v, grids, residents_per_village) for v, grids in chosen.items()]
    results = []
    for kind, rows in (
        ("houses", _house_rows(plans)),
        ("residents", _resident_rows(plans, today)),
        ("organisations", _organisation_rows(plans)),
    ):
        result = import_rows(ACTOR, kind, rows, file_name=f"demo-{kind}", region_code=BAISHA)
        if not result.ok:
            first = result.problems[0]
            raise RuntimeError(f"demo {kind}: row {first.row} {first.column}: {first.reason}")
        results.append(result)
    places, things = _places_and_things(plans, today)
    tags = _tags(list(chosen), today)
    houses, residents, organisations = (r.records_written for r in results)
    return (
        f"{residents} residents in {results[1].households_written} households, {houses} houses "
        f"at {results[0].addresses_written} addresses, {organisations} organisations, "
        f"{places} places, {things} things, {tags} special-group tags in {len(chosen)} villages "
        f"({time.perf_counter() - started:.1f} s, {time.process_time() - cpu:.1f} s CPU)"
    )


def info() -> list[str]:
    """What `make demo` prints about the registry (R11.1 (二))."""
    return [
        "",
        "  registry (R11.1): /registry/ (search, houses, residents, statistics, imports;",
        "    baisha_dispatcher), /registry/proposals/ (what grid workers collected),",
        "    /m/registry/ (grid worker: grid_worker); four villages of 白沙街道, ~22,000 residents",
    ]
