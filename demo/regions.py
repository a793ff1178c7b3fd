"""Demo step: the Jiangmen region tree, county outlines, and generated grids (R8.1).

Township and village polygons are not public, so they are generated: each county outline is
split into its real townships, each township into its real villages, each village into 2–6
grids, by Voronoi cells around deterministic seed points (relaxed twice so cells are evenly
sized), clipped to the parent. The real county outlines do not agree along their borders; the
slivers are resolved first (overlaps to the lower code, enclosed holes to the neighbour with
the longest shared border) so that the demo tree covers exactly and ``check_coverage`` passes.
"""

from __future__ import annotations

import random
import zlib

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry.base import BaseGeometry

from demo.steps import CITY_CODE, DATA_DIR
from regions import geometry as geo
from regions.coverage import resolve_sibling_slivers
from regions.importers import import_boundaries, import_divisions
from regions.models import Level, Region, VillageKind
from regions.services import GridSpec, divide_region, set_region_geometries

ACTOR = "demo"
GRID_SIZE = 1e-9


def _rng(code: str) -> random.Random:
    return random.Random(zlib.crc32(code.encode()))


def _sample_inside(parent: BaseGeometry, n: int, rng: random.Random) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = parent.bounds
    shapely.prepare(parent)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        xs = np.array([rng.uniform(minx, maxx) for _ in range(max(64, 8 * n))])
        ys = np.array([rng.uniform(miny, maxy) for _ in range(len(xs))])
        inside = shapely.contains_xy(parent, xs, ys)
        points.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    return points[:n]


def _cells(points: list[tuple[float, float]], parent: BaseGeometry) -> list[BaseGeometry]:
    if len(points) == 1:
        return [parent]
    envelope = shapely.box(*parent.bounds).buffer(0.01, join_style="mitre")
    diagram = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=envelope, ordered=True)
    cells = []
    for cell in diagram.geoms:
        # Snap-rounding to a 1e-9° grid (0.1 mm) makes neighbours agree exactly on the points
        # where a cell border crosses the parent's border; floating overlay alone can fall
        # back to snapping and leave metre-sized slivers between them.
        piece = geo.polygonal_part(shapely.intersection(cell, parent, grid_size=GRID_SIZE))
        cells.append(piece)
    return cells


def partition(parent: BaseGeometry, n: int, seed: str) -> list[BaseGeometry]:
    """n cells that tile ``parent`` exactly (up to floating point), deterministic per seed."""
    rng = _rng(seed)
    points = _sample_inside(parent, n, rng)
    for _ in range(2):  # Lloyd relaxation: evenly sized cells look like real grids
        cells = _cells(points, parent)
        moved = []
        for point, cell in zip(points, cells, strict=True):
            if cell is None:
                moved.append(point)
                continue
            c = cell.centroid
            p = c if parent.contains(c) else cell.representative_point()
            moved.append((p.x, p.y))
        if len(set(moved)) == len(moved):
            points = moved
    cells = _cells(points, parent)
    if any(c is None for c in cells):  # pragma: no cover - seeds lie inside, cells are not empty
        raise RuntimeError(f"empty cell while partitioning {seed}")
    return cells


def _households(kind: str, rng: random.Random) -> int:
    low, high = settings.GRIDGOV["GRID_HOUSEHOLDS"][kind]
    if rng.random() < 0.02:  # a few grids outside the size rule, so its warnings show
        return rng.randint(high + 1, int(high * 1.4))
    return rng.randint(low, high)


def load(counties_wanted: list[str] | None = None) -> str:
    """Load the tree and generate grids (for ``counties`` only, when given: tests use one)."""
    divisions = import_divisions(DATA_DIR, city=CITY_CODE, actor=ACTOR)
    import_boundaries(DATA_DIR / "jiangmen-counties.geojson", repair=True, actor=ACTOR)

    all_counties = list(Region.objects.filter(level=Level.COUNTY, code__startswith=CITY_CODE))
    resolved = resolve_sibling_slivers([c.geometry for c in all_counties])
    resolved = [shapely.set_precision(g, GRID_SIZE) for g in resolved]
    geometries: dict[str, BaseGeometry] = {
        c.code: g for c, g in zip(all_counties, resolved, strict=True)
    }
    geometries[CITY_CODE] = shapely.union_all(resolved, grid_size=GRID_SIZE)
    counties = [c for c in all_counties if counties_wanted is None or c.code in counties_wanted]

    children: dict[str, list[Region]] = {}
    for region in Region.objects.filter(
        code__startswith=CITY_CODE, level__in=[Level.TOWNSHIP, Level.VILLAGE]
    ).order_by("code"):
        children.setdefault(region.code[: 6 if region.level == Level.TOWNSHIP else 9], []).append(
            region
        )

    grids: dict[str, list[GridSpec]] = {}
    for county in counties:
        townships = children.get(county.code, [])
        for township, t_geom in zip(
            townships, partition(geometries[county.code], len(townships), county.code), strict=True
        ):
            geometries[township.code] = t_geom
            villages = children.get(township.code, [])
            for village, v_geom in zip(
                villages, partition(t_geom, len(villages), township.code), strict=True
            ):
                geometries[village.code] = v_geom
                rng = _rng(village.code)
                n = rng.randint(2, 6)
                kind = village.kind or VillageKind.URBAN
                specs = []
                for g_geom in partition(v_geom, n, village.code):
                    households = _households(kind, rng)
                    population = int(households * rng.uniform(2.6, 3.3))
                    specs.append(GridSpec(g_geom, "", households, population))
                grids[village.code] = specs

    set_region_geometries(
        ACTOR, geometries, reason="江门市演示数据：县界为真实数据，镇街、村居边界为生成数据"
    )
    total_grids = 0
    for county in counties:
        county_grids = {
            code: specs for code, specs in grids.items() if code.startswith(county.code)
        }
        divide_region(
            ACTOR,
            county.code,
            county_grids,
            reason=f"{county.name}网格划分（演示数据）",
            check=False,
        )
        total_grids += sum(len(s) for s in county_grids.values())
    return f"{divisions.total_created} regions, {total_grids} grids in {len(grids)} villages"
