"""Seamless coverage (R8.1 无缝覆盖): inside the parent, no overlap, no gap; size warnings.

The same checks serve the ``check_coverage`` command (a whole region, top to bottom) and the
grid-change services (one village, before a change is allowed to commit). Areas are geodesic
m²; pieces at or below the tolerance are floating-point noise and are not problems.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from shapely.geometry.base import BaseGeometry

from gridgov.errors import NotFound
from regions import geometry as geo
from regions.models import Grid, Region, VillageKind, parent_code

ERROR = "error"
WARNING = "warning"

KIND_LABELS = {
    "outside": gettext_lazy("超出上级"),
    "overlap": gettext_lazy("重叠"),
    "gap": gettext_lazy("缝隙"),
    "no_geometry": gettext_lazy("缺少边界"),
    "size": gettext_lazy("规模"),
}


def kind_label(kind: str) -> str:
    """A problem kind in the user's language (the kind itself stays the identifier)."""
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class Problem:
    kind: str  # outside | overlap | gap | no_geometry | size
    codes: tuple[str, ...]
    area_m2: float = 0.0
    point: tuple[float, float] | None = None
    message: str = ""
    severity: str = ERROR
    # the piece itself (outside/overlap/gap), for drawing it on a map; not part of equality
    geometry: BaseGeometry | None = field(default=None, compare=False, repr=False)

    def line(self) -> str:
        parts = [f"{self.severity.upper():7} {self.kind:11} {','.join(self.codes)}"]
        if self.area_m2:
            parts.append(f"area={self.area_m2:,.1f} m²")
        if self.point:
            parts.append(f"at {self.point[0]:.6f},{self.point[1]:.6f}")
        if self.message:
            parts.append(self.message)
        return "  ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "codes": list(self.codes),
            "area_m2": round(self.area_m2, 1),
            "point": list(self.point) if self.point else None,
            "message": self.message,
            "geometry": geo.to_geojson(self.geometry, precision=6),
        }


@dataclass
class CoverageReport:
    region_code: str
    tolerance_m2: float
    problems: list[Problem] = field(default_factory=list)
    parents_checked: int = 0
    units_checked: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Unit:
    code: str
    geometry: BaseGeometry | None
    households: int | None = None
    village_kind: str = ""


def default_tolerance() -> float:
    return float(settings.GRIDGOV["COVERAGE_TOLERANCE_M2"])


def _pieces(geom: BaseGeometry | None, tolerance_m2: float) -> list[tuple[float, BaseGeometry]]:
    """Connected areal pieces bigger than the tolerance, largest first, with their areas."""
    geom = geo.polygonal_part(geom) if geom is not None else None
    if geom is None or geom.is_empty:
        return []
    out = []
    for part in getattr(geom, "geoms", [geom]):
        area = geo.geodesic_area_m2(part)
        if area > tolerance_m2:
            out.append((area, part))
    out.sort(key=lambda item: -item[0])
    return out


def check_children(
    parent: Unit,
    children: Sequence[Unit],
    *,
    tolerance_m2: float,
    holes_as_gaps: bool = True,
) -> list[Problem]:
    """Coverage problems among one parent's children (R8.1).

    - ``outside``: a child reaches beyond its parent;
    - ``overlap``: two siblings share area;
    - ``gap``: part of the parent (or, where the parent has no polygon, a hole enclosed by the
      siblings) belongs to no child.
    """
    problems: list[Problem] = []
    with_geom = [c for c in children if c.geometry is not None and not c.geometry.is_empty]
    missing = [c.code for c in children if c.geometry is None or c.geometry.is_empty]
    # Without any polygon on either side there is nothing to check, and nothing worth saying.
    if missing and (parent.geometry is not None or len(missing) < len(children)):
        shown = ", ".join(missing[:5]) + (f" … (+{len(missing) - 5})" if len(missing) > 5 else "")
        problems.append(
            Problem(
                "no_geometry",
                (parent.code,),
                message=gettext("%(missing)d of %(all)d children have no polygon: %(codes)s")
                % {"missing": len(missing), "all": len(children), "codes": shown},
                severity=WARNING,
            )
        )
    parent_geom = parent.geometry
    if not with_geom and (parent_geom is None or children):
        return problems  # nothing drawn below this parent yet: only the warning above
    if parent_geom is not None:
        shapely.prepare(parent_geom)
        for child in with_geom:
            if shapely.contains(parent_geom, child.geometry):
                continue
            for area, piece in _pieces(child.geometry.difference(parent_geom), tolerance_m2):
                problems.append(
                    Problem(
                        "outside",
                        (child.code, parent.code),
                        area,
                        geo.inside_point(piece),
                        gettext("%(child)s reaches outside %(parent)s")
                        % {"child": child.code, "parent": parent.code},
                        geometry=piece,
                    )
                )

    geoms = [c.geometry for c in with_geom]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects") if geoms else ([], [])
    for i, j in zip(list(left), list(right), strict=True):
        if i >= j:
            continue
        shared = geoms[i].intersection(geoms[j])
        if shared.area == 0:  # touching along a border only
            continue
        for area, piece in _pieces(shared, tolerance_m2):
            problems.append(
                Problem(
                    "overlap",
                    (with_geom[i].code, with_geom[j].code),
                    area,
                    geo.inside_point(piece),
                    gettext("%(one)s and %(other)s overlap")
                    % {"one": with_geom[i].code, "other": with_geom[j].code},
                    geometry=piece,
                )
            )

    union = shapely.union_all(geoms)
    if parent_geom is not None:
        missing_area = parent_geom.difference(union)
        message = gettext("part of %(parent)s is in no child")
    elif holes_as_gaps:
        holes = [
            shapely.Polygon(ring)
            for poly in getattr(union, "geoms", [union])
            if isinstance(poly, shapely.Polygon)
            for ring in poly.interiors
        ]
        missing_area = shapely.union_all(holes) if holes else None
        message = gettext(
            "a hole enclosed by the children of %(parent)s (a sliver no child covers)"
        )
    else:
        missing_area = None
    for area, piece in _pieces(missing_area, tolerance_m2):
        neighbours = tuple(
            with_geom[k].code for k in tree.query(piece, predicate="intersects").tolist()
        )
        problems.append(
            Problem(
                "gap",
                (parent.code, *sorted(neighbours)),
                area,
                geo.inside_point(piece),
                message % {"parent": parent.code},
                geometry=piece,
            )
        )
    return problems


def size_problems(grids: Iterable[Unit]) -> list[Problem]:
    """Households per grid outside the configured bounds for its village type (R8.1 规模适度)."""
    bounds = settings.GRIDGOV["GRID_HOUSEHOLDS"]
    problems = []
    for grid in grids:
        kind = grid.village_kind or VillageKind.URBAN
        low, high = bounds.get(kind, bounds[VillageKind.URBAN])
        if grid.households is None or low <= grid.households <= high:
            continue
        problems.append(
            Problem(
                "size",
                (grid.code,),
                message=gettext("%(households)s households, outside %(low)s–%(high)s for %(kind)s")
                % {
                    "households": grid.households,
                    "low": low,
                    "high": high,
                    "kind": VillageKind(kind).label,
                },
                severity=WARNING,
            )
        )
    return problems


def check_region(code: str, *, tolerance_m2: float | None = None) -> CoverageReport:
    """Check every parent under ``code`` (the region itself included), down to the grids."""
    tolerance = default_tolerance() if tolerance_m2 is None else tolerance_m2
    report = CoverageReport(code, tolerance)
    regions = list(Region.objects.filter(code__startswith=code).order_by("code"))
    if not regions:
        raise NotFound(gettext("no region with code %(code)s") % {"code": code})
    units = {r.code: Unit(r.code, r.geometry, village_kind=r.kind) for r in regions}
    children: dict[str, list[Unit]] = defaultdict(list)
    for r in regions:
        if r.code != code and r.parent_id is not None:
            children[parent_code(r.code) or ""].append(units[r.code])
    grid_units = []
    for g_code, wkb, households in (
        Grid.objects.current()
        .filter(code__startswith=code)
        .order_by("code")
        .values_list("code", "geometry_wkb", "households")
    ):
        village = units.get(g_code[:12])
        unit = Unit(g_code, geo.from_wkb(wkb), households, village.village_kind if village else "")
        children[g_code[:12]].append(unit)
        grid_units.append(unit)
    # A village with a polygon but no grids is one big gap: nobody covers it.
    undivided = [r.code for r in regions if r.level == "village" and r.geometry_wkb is not None]
    for parent_key in sorted(set(children) | set(undivided)):
        parent = units.get(parent_key)
        if parent is None:
            continue
        report.parents_checked += 1
        report.units_checked += len(children[parent_key])
        report.problems.extend(check_children(parent, children[parent_key], tolerance_m2=tolerance))
    report.problems.extend(size_problems(grid_units))
    return report


def resolve_sibling_slivers(geoms: list[BaseGeometry]) -> list[BaseGeometry]:
    """Make siblings tile seamlessly: overlaps go to the earlier sibling, enclosed holes to the
    neighbour sharing the longest border with them. Used to prepare real outlines (which never
    agree exactly along borders) as parents for generated or imported children."""
    out: list[BaseGeometry] = []
    taken: BaseGeometry | None = None
    for geom in geoms:
        piece = geom if taken is None else geom.difference(taken)
        piece = geo.polygonal_part(piece) or geom
        out.append(piece)
        taken = piece if taken is None else shapely.union(taken, piece)
    if taken is None:
        return out
    holes = [
        shapely.Polygon(ring)
        for poly in getattr(taken, "geoms", [taken])
        if isinstance(poly, shapely.Polygon)
        for ring in poly.interiors
    ]
    for hole in holes:
        best, best_len = None, 0.0
        for k, geom in enumerate(out):
            length = geom.intersection(hole.boundary).length
            if length > best_len:
                best, best_len = k, length
        if best is not None:
            out[best] = geo.polygonal_part(shapely.union(out[best], hole)) or out[best]
    return out
