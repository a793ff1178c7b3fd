"""Fixtures for the regions tests: a tiny administrative tree with a few grids (R8.1).

``tiny_tree`` is built with the models directly (no services), so tests of the index, the
locate API and other read paths do not depend on the grid-change services.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import shapely
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry

from regions.models import Grid, Level, Region

# Lower-left corner of the tiny tree, in 蓬江区 (江门市); one unit is 0.01° (about 1 km).
ORIGIN_LNG, ORIGIN_LAT = 113.07, 22.60
UNIT = 0.01


def at(x: float, y: float) -> tuple[float, float]:
    """Tiny-tree units → lng/lat."""
    return ORIGIN_LNG + x * UNIT, ORIGIN_LAT + y * UNIT


def unit_box(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    return shapely.box(*at(x0, y0), *at(x1, y1))


@dataclass
class TinyTree:
    """Province 44 → city 4407 → county 440703 → township 440703001 → village 440703001001.

    Current grids of the village (units of 0.01°, origin 113.07°E 22.60°N)::

        y=2 +-----------------------+
            |       north (003)     |
        y=1 +-----------+-----------+     +-----+
            | west (001)| east (002)|     | 002 |   east has a detached part at x 2.5..3
            |   [hole]  |           |     |     |   west has a hole at 0.4..0.6
        y=0 +-----------+-----------+     +-----+
            x=0         1           2    2.5    3
    """

    province: Region
    city: Region
    county: Region
    township: Region
    village: Region
    west: Grid
    east: Grid
    north: Grid

    @property
    def grids(self) -> list[Grid]:
        return [self.west, self.east, self.north]


def make_region(code: str, name: str, level: str, parent: Region | None, **kw) -> Region:
    return Region.objects.create(code=code, name=name, level=level, parent=parent, **kw)


def make_grid(village: Region, seq: int, name: str, geom: BaseGeometry, **kw) -> Grid:
    grid = Grid(code=f"{village.code}{seq:03d}", name=name, village=village, **kw)
    grid.set_geometry(geom)
    grid.save()
    return grid


@pytest.fixture
def tiny_tree(db) -> TinyTree:
    province = make_region("44", "广东省", Level.PROVINCE, None)
    city = make_region("4407", "江门市", Level.CITY, province)
    county = make_region("440703", "蓬江区", Level.COUNTY, city)
    township = make_region("440703001", "测试街道", Level.TOWNSHIP, county)
    village = make_region("440703001001", "测试社区居委会", Level.VILLAGE, township, kind="urban")
    west = unit_box(0, 0, 1, 1).difference(unit_box(0.4, 0.4, 0.6, 0.6))
    east = MultiPolygon([unit_box(1, 0, 2, 1), unit_box(2.5, 0, 3, 1)])
    return TinyTree(
        province=province,
        city=city,
        county=county,
        township=township,
        village=village,
        west=make_grid(village, 1, "西区网格", west, households=300, population=900),
        east=make_grid(village, 2, "东区网格", east, households=200, population=600),
        north=make_grid(village, 3, "北区网格", unit_box(0, 1, 2, 2)),
    )
