"""A small registry for the screenshots of the registry console (issue 12), made when the demo
has no registry yet: one building in the demo workers' grid of 白沙街道 with its units, floors
and rooms, the families and tenants living there (fictitious, well-formed ID numbers), a few
special-group tags, organisations and key places. Made through the registry's services, as
the system; a second run finds it and makes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

ACTOR = "screenshots"
ROAD, NUMBER = "白沙大道东", "36号"

# (room, [(name, kind, relation to the house, birth yyyymmdd, gender digit seed)])
ROOMS = [
    ("501室", [("陈建华", "registered", "owner", "19620315"), ("李秀英", "registered", "family",
                "19650822"), ("陈志强", "registered", "family", "19900107")]),
    ("502室", [("黄海燕", "floating", "tenant", "19950611"), ("周文斌", "floating", "tenant",
                "19930219")]),
    ("601室", [("梁桂芳", "registered", "owner", "19410928")]),
    ("602室", [("吴国栋", "registered", "owner", "19780430"), ("吴思琪", "registered", "family",
                "20120905")]),
]  # fmt: skip


def _id_number(birth: str, seed: int) -> str:
    from audit.personal_data import id_check_char

    first17 = f"440703{birth}{seed % 1000:03d}"
    return first17 + id_check_char(first17)


def ensure(grid_code: str) -> dict[str, Any]:
    """The registry world (made on the first call): {"house": pk of a rented room}."""
    from django.utils import timezone

    from registry import inputs, services
    from registry.models import House, StandardAddress

    existing = StandardAddress.objects.filter(road=ROAD, number=NUMBER).first()
    if existing is not None:
        rented = House.objects.filter(address__full_text__endswith="502室").first()
        return {"house": rented.pk if rented else House.objects.first().pk}
    today = timezone.localdate()
    street = services.create_address(
        ACTOR,
        inputs.NewAddress(
            level="street_number", where=inputs.Where(grid_code=grid_code), road=ROAD,
            number=NUMBER,
        ),
    )  # fmt: skip
    building = services.create_address(
        ACTOR, inputs.NewAddress(level="building", parent=street, name="3栋")
    )
    unit = services.create_address(
        ACTOR, inputs.NewAddress(level="unit", parent=building, name="1单元")
    )
    floors = {
        n: services.create_address(
            ACTOR, inputs.NewAddress(level="floor", parent=unit, name=f"{n}层")
        )
        for n in (5, 6)
    }
    seed = 300
    people: dict[str, Any] = {}
    rented_pk = 0
    for room_name, residents in ROOMS:
        room = services.create_address(
            ACTOR,
            inputs.NewAddress(level="room", parent=floors[int(room_name[0])], name=room_name),
        )
        tenants = any(relation == "tenant" for _n, _k, relation, _b in residents)
        house = services.create_house(
            ACTOR,
            inputs.NewHouse(
                address=room,
                use="rental" if tenants else "residential",
                rental_status="shared" if tenants else "not_rented",
                owner_name="陈建华" if tenants else "",
            ),
        )
        if tenants:
            rented_pk = house.pk
        household = None
        if not tenants:
            household = services.create_household(
                ACTOR, inputs.NewHousehold(number=f"H{room.code[-6:]}", address=room)
            )
        relations = iter(["head", "spouse", "child"])
        for name, kind, relation, birth in residents:
            seed += 7
            family = relation != "tenant"
            people[name] = services.register_resident(
                ACTOR,
                inputs.NewResident(
                    kind=kind, name=name, id_type="resident_id", id_number=_id_number(birth, seed),
                    phone=f"1392750{seed:04d}", house=house, house_relation=relation,
                    household=household if family else None,
                    relation=next(relations) if family else "",
                    living_since=today - dt.timedelta(days=40 if relation == "tenant" else 3000),
                ),
            )  # fmt: skip
    for name, kind, days_ago, every in [
        ("梁桂芳", "elderly_alone", 12, 7),
        ("吴思琪", "left_behind_child", 20, 30),
        ("陈志强", "disabled", 80, 90),
        ("周文斌", "released_prisoner", 45, 30),
    ]:
        services.tag_resident(
            ACTOR,
            people[name],
            inputs.NewTag(
                kind=kind, started_on=today - dt.timedelta(days=days_ago), visit_days=every
            ),
        )
    services.update_resident(ACTOR, people["黄海燕"], inputs.ResidentChanges(phone="13927501234"))
    for kind, name, risk in [
        ("small_restaurant", "白沙东肠粉店", "medium"),
        ("small_shop", "惠民便利店", "low"),
        ("small_hotel", "家和旅馆", "high"),
    ]:
        services.create_place(
            ACTOR, inputs.NewPlace(kind=kind, name=name, address=street, risk_level=risk)
        )
    services.create_organisation(
        ACTOR,
        inputs.NewOrganisation(kind="individual_business", name="白沙东肠粉店", address=street),
    )
    return {"house": rented_pk}
