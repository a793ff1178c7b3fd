"""Small region trees for tests: a village 1 km × 1 km cut into grids, with real codes."""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from regions.models import Grid, Level, Region

# Lower-left corner of the test village, in 白沙街道 (蓬江区, 江门市).
X0, Y0 = 113.07, 22.60
STEP = 0.01  # ~1 km


def box(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    return shapely.box(X0 + x0 * STEP, Y0 + y0 * STEP, X0 + x1 * STEP, Y0 + y1 * STEP)


def region(code: str, name: str, level: str, parent: Region | None, geom=None, kind="") -> Region:
    r = Region(code=code, name=name, level=level, parent=parent, kind=kind)
    if geom is not None:
        r.set_geometry(geom)
    r.save()
    return r


def make_tree(*, village_geometry: bool = True) -> dict[str, Region]:
    """44 → 4407 → 440703 → 440703002 → villages 440703002101 (box 0..1) and …102 (box 1..2)."""
    province = region("44", "广东省", Level.PROVINCE, None)
    city = region("4407", "江门市", Level.CITY, province)
    county = region("440703", "蓬江区", Level.COUNTY, city, box(0, 0, 2, 1))
    township = region("440703002", "白沙街道", Level.TOWNSHIP, county, box(0, 0, 2, 1))
    v1 = region(
        "440703002101",
        "羊桥社区居委会",
        Level.VILLAGE,
        township,
        box(0, 0, 1, 1) if village_geometry else None,
        kind="urban",
    )
    v2 = region(
        "440703002102",
        "迦南社区居委会",
        Level.VILLAGE,
        township,
        box(1, 0, 2, 1) if village_geometry else None,
        kind="urban",
    )
    return {
        "province": province,
        "city": city,
        "county": county,
        "township": township,
        "v1": v1,
        "v2": v2,
    }


def make_grid(village: Region, seq: int, geom: BaseGeometry, households: int = 400, **kw) -> Grid:
    grid = Grid(
        code=f"{village.code}{seq:03d}",
        name=kw.pop("name", f"测试网格{seq}"),
        village=village,
        households=households,
        population=households * 3,
        **kw,
    )
    grid.set_geometry(geom)
    grid.save()
    return grid


def halves(tree: dict[str, Region]) -> tuple[Grid, Grid, Grid, Grid]:
    """Each village cut into a west and an east half."""
    v1, v2 = tree["v1"], tree["v2"]
    return (
        make_grid(v1, 1, box(0, 0, 0.5, 1)),
        make_grid(v1, 2, box(0.5, 0, 1, 1)),
        make_grid(v2, 1, box(1, 0, 1.5, 1)),
        make_grid(v2, 2, box(1.5, 0, 2, 1)),
    )
