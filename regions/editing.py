"""Helpers of the grid editor and the grid-change API (R8.1 动态调整): cutting a grid along a
drawn line, and previewing the parts before the change is submitted.

Nothing here changes data; the services in :mod:`regions.services` do, and check coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

from gridgov.errors import DomainError
from regions import coverage
from regions import geometry as geo
from regions.models import Grid


@dataclass(frozen=True)
class Part:
    """One part of a planned split, with the figures shared out by area."""

    geometry: BaseGeometry
    area_m2: float
    households: int
    population: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "geometry": geo.to_geojson(self.geometry, precision=None),
            "area_m2": round(self.area_m2, 1),
            "households": self.households,
            "population": self.population,
        }


def parse_line(data: Any) -> BaseGeometry:
    """A drawn cutting line (GeoJSON LineString or MultiLineString) with a readable error."""
    line = geo.from_geojson(data) if isinstance(data, dict) else data
    if not isinstance(line, LineString | MultiLineString) or line.is_empty:
        raise DomainError(
            gettext("切割线须为一条折线(GeoJSON LineString)"), field="line", code="not_a_line"
        )
    return line


def split_by_line(grid_geometry: BaseGeometry, line: Any) -> list[BaseGeometry]:
    """The pieces of a grid cut along ``line`` (``shapely.ops.split``), largest first.

    The pieces share the grid's own vertices, so they tile it exactly and the coverage check
    of the split passes. The line has to cross the grid from outside to outside; pieces at or
    below the coverage tolerance (a line grazing a corner) are not parts.
    """
    line = parse_line(line)
    pieces = split(grid_geometry, line)
    tolerance = coverage.default_tolerance()
    parts = [
        (geo.geodesic_area_m2(p), p)
        for p in getattr(pieces, "geoms", [pieces])
        if isinstance(p, Polygon) and not p.is_empty
    ]
    parts = [(area, p) for area, p in parts if area > tolerance]
    if len(parts) < 2:
        raise DomainError(
            gettext("切割线没有把网格分成两块以上:请从网格外画到网格外,穿过网格"),
            field="line",
            code="line_does_not_cut",
        )
    parts.sort(key=lambda item: -item[0])
    return [p for _area, p in parts]


def preview_split(grid: Grid, geometries: list[BaseGeometry]) -> list[Part]:
    """The parts as the split service would make them: households and population shared out
    by area (what the service does when the parts give none)."""
    areas = [geo.geodesic_area_m2(g) for g in geometries]
    total = sum(areas) or 1.0
    return [
        Part(
            geometry=g,
            area_m2=a,
            households=round(grid.households * a / total),
            population=round(grid.population * a / total),
        )
        for g, a in zip(geometries, areas, strict=True)
    ]
