"""A small registry world for the registry's tests (R11.1, R22.1): a village of 白沙街道 with a
grid that has a polygon (so points are placed by the grid index), and helpers that create
registry objects through the services, as the system."""

from __future__ import annotations

import datetime as dt
import itertools

import shapely
from django.utils import timezone

from gridgov.testing import people as testing
from regions import index
from registry import inputs, services
from registry.models import House, Resident, SpecialGroupTag, StandardAddress

ACTOR = "test"
VILLAGE = "440703002101"
GRID = f"{VILLAGE}001"
OTHER_GRID = f"{VILLAGE}002"  # same village, no polygon
CENTRE = (113.075, 22.605)
HALF = 0.002
_seed = itertools.count(500)


def located_grid(code: str = GRID, centre: tuple[float, float] = CENTRE) -> tuple[float, float]:
    """The grid ``code`` with a square polygon around ``centre`` (index rebuilt); the centre."""
    grid = testing.make_grid(code)
    lng, lat = centre
    if grid.geometry_wkb is None:
        grid.set_geometry(shapely.box(lng - HALF, lat - HALF, lng + HALF, lat + HALF))
        grid.save()
        index.invalidate()
    return lng, lat


def street(road: str = "白沙大道", number: str = "8号", *, grid: str = GRID) -> StandardAddress:
    if grid == GRID:
        lng, lat = located_grid()
        where = inputs.Where(region_code=VILLAGE, lng=lng, lat=lat)
    else:
        testing.make_grid(grid)
        where = inputs.Where(grid_code=grid)
    return services.create_address(
        ACTOR, inputs.NewAddress(level="street_number", where=where, road=road, number=number)
    )


def room(parent: StandardAddress | None = None, name: str = "101室") -> StandardAddress:
    parent = parent or street()
    return services.create_address(ACTOR, inputs.NewAddress(level="room", parent=parent, name=name))


def house(address: StandardAddress | None = None, **kwargs) -> House:
    kwargs.setdefault("use", "residential")
    return services.create_house(ACTOR, inputs.NewHouse(address=address or room(), **kwargs))


def id_number(seed: int | None = None, *, birth: str = "19800101") -> str:
    return testing.id_number(next(_seed) if seed is None else seed, birth=birth)


def resident(home: House | None = None, *, name: str = "张三", **kwargs) -> Resident:
    kwargs.setdefault("kind", "registered")
    kwargs.setdefault("id_type", "resident_id")
    kwargs.setdefault("id_number", id_number())
    if home is not None:
        kwargs.setdefault("house_relation", "family")
    elif "where" not in kwargs and "household" not in kwargs:
        kwargs["where"] = inputs.Where(grid_code=testing.make_grid(GRID).code)
    return services.register_resident(ACTOR, inputs.NewResident(name=name, house=home, **kwargs))


def tag(who: Resident, kind: str = "elderly_alone", **kwargs) -> SpecialGroupTag:
    kwargs.setdefault("started_on", timezone.localdate() - dt.timedelta(days=10))
    return services.tag_resident(ACTOR, who, inputs.NewTag(kind=kind, **kwargs))
