"""What the grid services share: the input of a grid version, the coverage refusal, finding
the grids and villages a change names, cleaning its input, checking coverage, and filing and
recording the change (R8.1, R8.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from shapely.geometry.base import BaseGeometry

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, NotFound
from gridgov.parsing import INT32_MAX, Scalar
from regions import coverage
from regions import geometry as geo
from regions import index as grid_index
from regions.actions import RegionAction
from regions.models import Grid, GridChange, Level, Region

# A polygon as shapely or GeoJSON gives it; the choices of a change form (R10.2):
# {assignment id: successor code | "end"} and the successor codes accepted as vacant,
# checked by regions.succession.clean_destinations.
GeometryInput: TypeAlias = BaseGeometry | dict[str, Any]
WorkerChoices: TypeAlias = Mapping[int | str, str] | None
VacancyChoices: TypeAlias = Collection[str] | None

GRID_FIELDS = ["code", "version", "name", "village", "households", "population", "area_m2"]


class CoverageRefused(DomainError):
    """A grid change refused because it would break seamless coverage (R8.1)."""

    def __init__(self, problems: list[coverage.Problem]) -> None:
        first = problems[0]
        values = {
            "kind": coverage.kind_label(first.kind).lower(),  # inside an English sentence
            "codes": ", ".join(first.codes),
            "area": f"{first.area_m2:,.0f}",
        }
        if first.point:
            values["point"] = f"{first.point[0]:.6f},{first.point[1]:.6f}"
            message = gettext(
                "the change would break coverage: %(kind)s %(codes)s (%(area)s m²) at %(point)s"
            )
        else:
            message = gettext("the change would break coverage: %(kind)s %(codes)s (%(area)s m²)")
        super().__init__(
            message % values,
            code="coverage",
            field="geometry",
            extra={"problems": [p.as_dict() for p in problems]},
        )
        self.problems = problems


@dataclass
class GridSpec:
    """What a new grid version should look like."""

    geometry: BaseGeometry
    name: str = ""
    households: int | None = None
    population: int | None = None


def _city_of(region: Region) -> Region:
    city = Region.objects.filter(code=region.code[:4], level=Level.CITY).first()
    if city is None:
        raise DomainError(
            gettext("region %(code)s has no city above it to file with") % {"code": region.code},
            code="no_city",
        )
    return city


def find_village(code: str) -> Region:
    """The village (community) with that code, or NotFound."""
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None:
        raise NotFound(
            gettext("no village/community with code %(code)s") % {"code": code}, field="village"
        )
    return village


def current_grids(codes: Sequence[str], *, lock: bool = True) -> list[Grid]:
    """The current grids named by ``codes``, in that order, all of one village (locked
    for the change unless ``lock`` is False, as for a preview); refused otherwise."""
    if not codes:
        raise DomainError(gettext("name at least one grid"), field="codes")
    if len(set(codes)) != len(codes):
        raise DomainError(gettext("a grid is named more than once"), field="codes")
    qs = Grid.objects.current().filter(code__in=codes).select_related("village")
    if lock:
        qs = qs.select_for_update()
    grids = {g.code: g for g in qs}
    missing = [c for c in codes if c not in grids]
    if missing:
        raise NotFound(
            gettext("no current grid with code %(codes)s") % {"codes": ", ".join(missing)},
            field="codes",
        )
    villages = {g.village_id for g in grids.values()}
    if len(villages) > 1:
        raise DomainError(
            gettext("all grids of one change must lie in the same village"), field="codes"
        )
    return [grids[c] for c in codes]


def clean_geometry(geom: GeometryInput, *, what: str) -> BaseGeometry:
    """A valid polygonal geometry from shapely or GeoJSON, or a refusal naming ``what``."""
    if isinstance(geom, dict):
        geom = geo.from_geojson(geom)
    geom = geo.require_polygonal(geom, what=what)
    why = geo.invalidity(geom)
    if why is not None:
        raise DomainError(
            gettext("%(what)s is invalid: %(why)s") % {"what": what, "why": why},
            field="geometry",
            code="invalid_geometry",
        )
    return geom


def clean_count(value: Scalar, name: str) -> int | None:
    """A household or population figure: None, or a whole number the column holds."""
    if value is None:
        return None
    # the column is a PositiveIntegerField: 32-bit on PostgreSQL (DataError past it)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT32_MAX:
        label = Grid._meta.get_field(name).verbose_name
        raise DomainError(
            gettext("%(name)s must be a whole number from 0 to %(max)s")
            % {"name": label, "max": INT32_MAX},
            field=name,
        )
    return value


def next_sequences(village: Region, n: int) -> list[str]:
    """The next ``n`` free grid codes of a village."""
    # Codes are never reused, not even those of retired grids: a code names one history.
    last = Grid.objects.filter(code__startswith=village.code).aggregate(m=Max("code"))["m"] or ""
    start = int(last[12:]) + 1 if last else 1
    if start + n - 1 > 999:
        raise DomainError(
            gettext("village %(code)s has no free grid codes left") % {"code": village.code},
            code="codes_full",
        )
    return [f"{village.code}{seq:03d}" for seq in range(start, start + n)]


def check_coverage_after(
    village: Region, removed: Sequence[Grid], added: Sequence[tuple[str, BaseGeometry]]
) -> None:
    """Refuse if the village's grids would leave it, overlap, or open a new gap (R8.1)."""
    tolerance = coverage.default_tolerance()
    removed_ids = {g.pk for g in removed}
    others = [
        coverage.Unit(g.code, g.geometry)
        for g in Grid.objects.current().filter(village=village).exclude(pk__in=removed_ids)
    ]
    before = [
        coverage.Unit(g.code, g.geometry) for g in Grid.objects.current().filter(village=village)
    ]
    after = others + [coverage.Unit(code, geom) for code, geom in added]
    parent = coverage.Unit(village.code, village.geometry)
    problems_after = coverage.check_children(parent, after, tolerance_m2=tolerance)
    problems_before = coverage.check_children(parent, before, tolerance_m2=tolerance)
    gap_before = sum(p.area_m2 for p in problems_before if p.kind == "gap")
    blocking = [p for p in problems_after if p.kind in {"outside", "overlap"}]
    gap_after = sum(p.area_m2 for p in problems_after if p.kind == "gap")
    if not blocking and gap_after > gap_before + tolerance:
        blocking = [p for p in problems_after if p.kind == "gap"]
    if blocking:
        raise CoverageRefused(blocking)


def file_change(
    actor: Actor, kind: str, region: Region, reason: str, summary: dict[str, Any]
) -> GridChange:
    """The filing of a change with the city above ``region`` (R8.2)."""
    return GridChange.objects.create(
        kind=kind,
        region=region,
        reason=reason,
        made_by=actor if getattr(actor, "is_authenticated", False) else None,
        summary=summary,
        filed_with=_city_of(region),
    )


def retire_grids(grids: Sequence[Grid], change: GridChange, when: dt.datetime) -> None:
    """End the validity of the rows a change replaces (their history stays)."""
    for grid in grids:
        grid.valid_to = when
        grid.retired_by_change = change
        grid.save(update_fields=["valid_to", "retired_by_change"])


def new_grid(
    code: str, version: int, village: Region, spec: GridSpec, change: GridChange, when: dt.datetime
) -> Grid:
    """Write one grid row (a new grid, or a new version of one) created by ``change``."""
    grid = Grid(
        code=code,
        version=version,
        name=spec.name,
        village=village,
        households=spec.households or 0,
        population=spec.population or 0,
        valid_from=when,
        created_by_change=change,
    )
    grid.set_geometry(spec.geometry)
    grid.save()
    return grid


def finish_change(
    actor: Actor,
    action: RegionAction,
    change: GridChange,
    old: Sequence[Grid],
    new: Sequence[Grid],
    grant: scoping.Grant | None,
) -> None:
    """The audit record of a grid change, and the grid index refreshed once it commits."""
    audit.record(
        actor,
        action,
        change,
        before=[audit.snapshot(g, GRID_FIELDS) for g in old],
        after=[audit.snapshot(g, GRID_FIELDS) for g in new],
        region_code=change.region.code,
        role=scoping.acting_role(actor, grant),
        note=change.reason,
    )
    transaction.on_commit(grid_index.invalidate)


def change_summary(old: Sequence[Grid], new: Sequence[Grid]) -> dict[str, Any]:
    """What a change retired and created, as filed."""
    return {
        "retired": [{"code": g.code, "version": g.version} for g in old],
        "created": [{"code": g.code, "version": g.version, "name": g.name} for g in new],
    }


def require_reason(reason: str) -> str:
    """The reason of a change, which is filed with the city: required."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            gettext("give the reason for the change (it is filed with the city)"), field="reason"
        )
    return reason


def default_grid_name(village: Region, sequence: int) -> str:
    """e.g. 羊桥社区第3网格 for grid 003 of 羊桥社区居委会."""
    short = village.name
    for suffix in ("社区居民委员会", "居民委员会", "村民委员会", "委员会", "居委会", "村委会"):
        if short.endswith(suffix) and len(short) > len(suffix):
            short = short[: -len(suffix)]
            break
    if not short.endswith(("社区", "村", "区", "居")):
        short += "社区" if village.kind == "urban" else "村"
    return f"{short}第{sequence}网格"
