"""Every change to grids (R8.1–R8.3): division, create, redraw, split, merge, attribute update,
and the filing of each change with the city (R8.2).

A change is checked against the village's coverage before it commits: it may not put a grid
outside its village, make grids overlap, or open a gap that was not there before. A change
retires the grid rows it replaces (``valid_to`` set, history kept) and creates new rows, so
whatever pointed at an old row keeps pointing at the grid as it was.

Who may change grids (R8.1) and acknowledge filings (R8.2): see :func:`require_drawer` and
:func:`require_acknowledger`; the acting role is stamped on each audit record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from shapely.geometry.base import BaseGeometry

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden, NotFound
from gridgov.parsing import INT32_MAX
from regions import coverage, succession
from regions import geometry as geo
from regions import index as grid_index
from regions.actions import RegionAction
from regions.models import Grid, GridChange, Level, Region

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


# --- who may change grids (R8.1, R8.2) ----------------------------------------------------
# R8.1: grids are drawn per county by the county agency together with the townships. So the
# administrator of a county agency may change the grids of every village in the county, and the
# administrator of a township agency those of the villages of its own township. The city agency
# receives the filings (R8.2) and acknowledges them; it does not draw. The system administrator
# may do everything inside their jurisdiction, and so may system actors (commands, the demo).

DRAWER_ROLES = frozenset({R.Role.AGENCY_ADMIN, R.Role.SYSADMIN})
_DRAWING_AGENCY_CODE_LENGTHS = frozenset({6, 9})  # county and township agencies


def _may_draw(grant: scoping.Grant) -> bool:
    return grant.role == R.Role.SYSADMIN or len(grant.code) in _DRAWING_AGENCY_CODE_LENGTHS


def require_drawer(actor: Any, region_code: str) -> scoping.Grant | None:
    """The grant that lets ``actor`` change the grids under ``region_code`` (R8.1), or
    Forbidden. None for system actors and the superuser."""
    what = gettext("划分或调整 %(code)s 的网格") % {"code": region_code}
    grant = scoping.require(actor, DRAWER_ROLES, region_code=region_code, what=what)
    if grant is None or _may_draw(grant):
        return grant
    for other in scoping.grants_for(actor, DRAWER_ROLES):
        if other.covers(region_code) and _may_draw(other):
            return other
    raise Forbidden(
        gettext(
            "网格由县级网格化机构会同乡镇(街道)划分和调整;市级网格化机构只接收和确认报备"
            "(R8.1、R8.2)"
        )
    )


def require_acknowledger(actor: Any, change: GridChange) -> scoping.Grant | None:
    """Only the administrator of the city agency the change is filed with acknowledges it
    (R8.2). None for system actors and the superuser."""
    return scoping.require(
        actor,
        R.Role.AGENCY_ADMIN,
        region_code=change.filed_with.code,
        what=gettext("确认报备至 %(code)s 的网格变更") % {"code": change.filed_with.code},
    )


# --- helpers ------------------------------------------------------------------------------


def _city_of(region: Region) -> Region:
    city = Region.objects.filter(code=region.code[:4], level=Level.CITY).first()
    if city is None:
        raise DomainError(
            gettext("region %(code)s has no city above it to file with") % {"code": region.code},
            code="no_city",
        )
    return city


def _village(code: str) -> Region:
    village = Region.objects.filter(code=code, level=Level.VILLAGE).first()
    if village is None:
        raise NotFound(
            gettext("no village/community with code %(code)s") % {"code": code}, field="village"
        )
    return village


def _current(codes: Sequence[str], *, lock: bool = True) -> list[Grid]:
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


def _clean_geometry(geom: Any, *, what: str) -> BaseGeometry:
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


def _clean_count(value: Any, name: str) -> int | None:
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


def _next_sequences(village: Region, n: int) -> list[str]:
    # Codes are never reused, not even those of retired grids: a code names one history.
    last = Grid.objects.filter(code__startswith=village.code).aggregate(m=Max("code"))["m"] or ""
    start = int(last[12:]) + 1 if last else 1
    if start + n - 1 > 999:
        raise DomainError(
            gettext("village %(code)s has no free grid codes left") % {"code": village.code},
            code="codes_full",
        )
    return [f"{village.code}{seq:03d}" for seq in range(start, start + n)]


def _coverage_after(
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


def _file_change(
    actor: Any, kind: str, region: Region, reason: str, summary: dict[str, Any]
) -> GridChange:
    return GridChange.objects.create(
        kind=kind,
        region=region,
        reason=reason,
        made_by=actor if getattr(actor, "is_authenticated", False) else None,
        summary=summary,
        filed_with=_city_of(region),
    )


def _retire(grids: Sequence[Grid], change: GridChange, when: Any) -> None:
    for grid in grids:
        grid.valid_to = when
        grid.retired_by_change = change
        grid.save(update_fields=["valid_to", "retired_by_change"])


def _new_grid(
    code: str, version: int, village: Region, spec: GridSpec, change: GridChange, when: Any
) -> Grid:
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


def _finish(
    actor: Any,
    action: RegionAction,
    change: GridChange,
    old: Sequence[Grid],
    new: Sequence[Grid],
    grant: scoping.Grant | None,
) -> None:
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


def _summary(old: Sequence[Grid], new: Sequence[Grid]) -> dict[str, Any]:
    return {
        "retired": [{"code": g.code, "version": g.version} for g in old],
        "created": [{"code": g.code, "version": g.version, "name": g.name} for g in new],
    }


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            gettext("give the reason for the change (it is filed with the city)"), field="reason"
        )
    return reason


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def create_grid(actor: Any, village_code: str, spec: GridSpec, *, reason: str) -> Grid:
    """Add one grid to a village, where no grid covers the ground yet (R8.1)."""
    village = _village(village_code)
    grant = require_drawer(actor, village.code)
    reason = _require_reason(reason)
    geom = _clean_geometry(spec.geometry, what=gettext("grid geometry"))
    households = _clean_count(spec.households, "households")
    population = _clean_count(spec.population, "population")
    (code,) = _next_sequences(village, 1)
    _coverage_after(village, [], [(code, geom)])
    name = spec.name.strip() or default_grid_name(village, int(code[12:]))
    change = _file_change(actor, GridChange.Kind.CREATE, village, reason, {})
    grid = _new_grid(
        code, 1, village, GridSpec(geom, name, households, population), change, timezone.now()
    )
    change.summary = _summary([], [grid])
    change.save(update_fields=["summary"])
    _finish(actor, RegionAction.GRID_CREATE, change, [], [grid], grant)
    return grid


# --- split, merge, redraw: planned first (the preview), then written ----------------------


@dataclass
class _Plan:
    """A split, merge or redraw checked and ready to write (or to preview)."""

    kind: str
    action: RegionAction
    grant: scoping.Grant | None
    village: Region
    old: list[Grid]
    new: list[tuple[str, int, GridSpec]]  # code, version, what the grid will be

    def successors(self, rows: Sequence[Grid] = ()) -> list[succession.Successor]:
        by_code = {g.code: g for g in rows}
        return [
            succession.Successor(code, spec.name, spec.geometry, by_code.get(code))
            for code, _version, spec in self.new
        ]


def _plan_redraw(actor: Any, geometries: dict[str, Any], *, reason: str | None) -> _Plan:
    old = _current(list(geometries), lock=reason is not None)
    village = old[0].village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        _require_reason(reason)
    specs = {
        code: _clean_geometry(geom, what=gettext("geometry of %(code)s") % {"code": code})
        for code, geom in geometries.items()
    }
    _coverage_after(village, old, list(specs.items()))
    new = [
        (g.code, g.version + 1, GridSpec(specs[g.code], g.name, g.households, g.population))
        for g in old
    ]
    return _Plan(GridChange.Kind.REDRAW, RegionAction.GRID_REDRAW, grant, village, old, new)


def _plan_split(actor: Any, code: str, parts: Sequence[GridSpec], *, reason: str | None) -> _Plan:
    (old,) = _current([code], lock=reason is not None)
    village = old.village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        _require_reason(reason)
    if len(parts) < 2:
        raise DomainError(gettext("a split needs at least two parts"), field="parts")
    geoms = [
        _clean_geometry(p.geometry, what=gettext("part %(n)d") % {"n": i + 1})
        for i, p in enumerate(parts)
    ]
    codes = _next_sequences(village, len(parts))
    _coverage_after(village, [old], list(zip(codes, geoms, strict=True)))
    areas = [geo.geodesic_area_m2(g) for g in geoms]
    total_area = sum(areas) or 1.0
    new = []
    for i, (part, geom, new_code) in enumerate(zip(parts, geoms, codes, strict=True)):
        share = areas[i] / total_area
        households = _clean_count(part.households, "households")
        population = _clean_count(part.population, "population")
        spec = GridSpec(
            geom,
            part.name.strip() or default_grid_name(village, int(new_code[12:])),
            round(old.households * share) if households is None else households,
            round(old.population * share) if population is None else population,
        )
        new.append((new_code, 1, spec))
    return _Plan(GridChange.Kind.SPLIT, RegionAction.GRID_SPLIT, grant, village, [old], new)


def _plan_merge(actor: Any, codes: Sequence[str], *, name: str, reason: str | None) -> _Plan:
    if len(codes) < 2:
        raise DomainError(gettext("a merge needs at least two grids"), field="codes")
    old = _current(list(codes), lock=reason is not None)
    village = old[0].village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        _require_reason(reason)
    merged = geo.polygonal_part(shapely.union_all([g.geometry for g in old]))
    parts_before = sum(len(getattr(g.geometry, "geoms", [g.geometry])) for g in old)
    parts_after = len(getattr(merged, "geoms", [merged])) if merged is not None else 0
    if merged is None or parts_after >= parts_before:
        raise DomainError(
            gettext("only adjacent grids can be merged (these do not share a border)"),
            field="codes",
            code="not_adjacent",
        )
    (new_code,) = _next_sequences(village, 1)
    _coverage_after(village, old, [(new_code, merged)])
    spec = GridSpec(
        merged,
        name.strip() or default_grid_name(village, int(new_code[12:])),
        sum(g.households for g in old),
        sum(g.population for g in old),
    )
    new = [(new_code, 1, spec)]
    return _Plan(GridChange.Kind.MERGE, RegionAction.GRID_MERGE, grant, village, old, new)


def _preview(actor: Any, plan: _Plan, workers: Any, accept_vacant: Any) -> dict[str, Any]:
    successors = plan.successors()
    destinations, accepted = succession.clean_destinations(successors, workers, accept_vacant)
    return succession.preview(
        succession.Succession(
            kind=plan.kind,
            actor=actor,
            reason="",
            role=scoping.acting_role(actor, plan.grant),
            old=plan.old,
            successors=successors,
            worker_destinations=destinations,
            accepted_vacancies=accepted,
        )
    )


def _write(actor: Any, plan: _Plan, reason: str, workers: Any, accept_vacant: Any) -> list[Grid]:
    """File the change, retire the old rows, create the new ones, and carry people and cases
    over to them (``regions.succession``); a refusal there rolls everything back."""
    destinations, accepted = succession.clean_destinations(
        plan.successors(), workers, accept_vacant
    )
    change = _file_change(actor, plan.kind, plan.village, reason, {})
    now = timezone.now()
    _retire(plan.old, change, now)
    new = [
        _new_grid(code, version, plan.village, spec, change, now)
        for code, version, spec in plan.new
    ]
    change.summary = _summary(plan.old, new)
    change.save(update_fields=["summary"])
    _finish(actor, plan.action, change, plan.old, new, plan.grant)
    succession.apply(
        succession.Succession(
            kind=plan.kind,
            actor=actor,
            reason=reason,
            role=scoping.acting_role(actor, plan.grant),
            old=plan.old,
            successors=plan.successors(new),
            worker_destinations=destinations,
            accepted_vacancies=accepted,
            change=change,
        )
    )
    return new


@transaction.atomic
def redraw_grids(
    actor: Any,
    geometries: dict[str, Any],
    *,
    reason: str,
    workers: Any = None,
    accept_vacant: Any = None,
) -> list[Grid]:
    """Move the borders of one or more grids of a village together (R8.1 动态调整).

    Moving a shared border means redrawing both neighbours in one change; each keeps its code
    and gets a new version. Open cases whose point now lies in another of the redrawn grids
    move to it (``regions.succession``).
    """
    plan = _plan_redraw(actor, geometries, reason=reason or "")
    return _write(actor, plan, _require_reason(reason), workers, accept_vacant)


@transaction.atomic
def split_grid(
    actor: Any,
    code: str,
    parts: Sequence[GridSpec],
    *,
    reason: str,
    workers: Any = None,
    accept_vacant: Any = None,
) -> list[Grid]:
    """Split one grid into N ≥ 2 new grids that exactly cover it (R8.1).

    Households and population not given are shared out by area. Open cases move to the part
    containing their point; workers to the part the administrator chose in ``workers``
    (``{assignment id: code | "end"}``), by default the part holding most of the old area;
    a part left without a leader must be named in ``accept_vacant`` (R10.2).
    """
    plan = _plan_split(actor, code, parts, reason=reason or "")
    return _write(actor, plan, _require_reason(reason), workers, accept_vacant)


@transaction.atomic
def merge_grids(
    actor: Any,
    codes: Sequence[str],
    *,
    name: str = "",
    reason: str,
    workers: Any = None,
    accept_vacant: Any = None,
) -> Grid:
    """Merge N ≥ 2 adjacent grids of one village into one new grid (R8.1); their open cases
    and workers go to it (one leader: the others' assignments must be ended in ``workers``)."""
    plan = _plan_merge(actor, codes, name=name, reason=reason or "")
    (grid,) = _write(actor, plan, _require_reason(reason), workers, accept_vacant)
    return grid


def preview_redraw(
    actor: Any, geometries: dict[str, Any], *, workers: Any = None, accept_vacant: Any = None
) -> dict[str, Any]:
    """What :func:`redraw_grids` would do to workers and open cases; changes nothing."""
    return _preview(actor, _plan_redraw(actor, geometries, reason=None), workers, accept_vacant)


def preview_split(
    actor: Any,
    code: str,
    parts: Sequence[GridSpec],
    *,
    workers: Any = None,
    accept_vacant: Any = None,
) -> dict[str, Any]:
    """What :func:`split_grid` would do to workers and open cases; changes nothing."""
    return _preview(actor, _plan_split(actor, code, parts, reason=None), workers, accept_vacant)


def preview_merge(
    actor: Any,
    codes: Sequence[str],
    *,
    name: str = "",
    workers: Any = None,
    accept_vacant: Any = None,
) -> dict[str, Any]:
    """What :func:`merge_grids` would do to workers and open cases; changes nothing."""
    plan = _plan_merge(actor, codes, name=name, reason=None)
    return _preview(actor, plan, workers, accept_vacant)


@transaction.atomic
def update_grid(
    actor: Any,
    code: str,
    *,
    name: str | None = None,
    households: int | None = None,
    population: int | None = None,
    reason: str,
) -> Grid:
    """Change a grid's name or size figures; a new version keeps the old figures on record."""
    (old,) = _current([code])
    grant = require_drawer(actor, old.village.code)
    reason = _require_reason(reason)
    households = _clean_count(households, "households")
    population = _clean_count(population, "population")
    if name is not None and not name.strip():
        raise DomainError(gettext("name must not be empty"), field="name")
    new_values = {
        "name": old.name if name is None else name.strip(),
        "households": old.households if households is None else households,
        "population": old.population if population is None else population,
    }
    if all(getattr(old, k) == v for k, v in new_values.items()):
        return old  # nothing changes: a resent request is not a new version
    change = _file_change(actor, GridChange.Kind.UPDATE, old.village, reason, {})
    now = timezone.now()
    _retire([old], change, now)
    grid = _new_grid(
        old.code,
        old.version + 1,
        old.village,
        GridSpec(
            old.geometry, new_values["name"], new_values["households"], new_values["population"]
        ),
        change,
        now,
    )
    change.summary = _summary([old], [grid])
    change.save(update_fields=["summary"])
    _finish(actor, RegionAction.GRID_UPDATE, change, [old], [grid], grant)
    return grid


@transaction.atomic
def divide_region(
    actor: Any,
    region_code: str,
    grids: dict[str, Sequence[GridSpec]],
    *,
    reason: str,
    check: bool = True,
) -> GridChange:
    """File an initial division: grids for villages under ``region_code`` that have none yet
    (R8.1 "grids are drawn per county by the county agency with townships", R8.2 filed).

    ``grids`` maps village codes to their grids. With ``check``, each village's coverage is
    verified; callers that generate exact tilings (the demo) may skip it for speed and run
    ``check_coverage`` afterwards.
    """
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise NotFound(
            gettext("no region with code %(code)s") % {"code": region_code}, field="region"
        )
    grant = require_drawer(actor, region.code)
    reason = _require_reason(reason)
    villages = {v.code: v for v in Region.objects.filter(code__in=list(grids), level=Level.VILLAGE)}
    unknown = [c for c in grids if c not in villages or not c.startswith(region_code)]
    if unknown:
        raise DomainError(
            gettext("not villages under %(region)s: %(codes)s")
            % {"region": region_code, "codes": ", ".join(sorted(unknown)[:10])},
            field="grids",
        )
    already = sorted(
        set(
            Grid.objects.current()
            .filter(village__code__in=list(grids))
            .values_list("village__code", flat=True)
        )
    )
    if already:
        raise DomainError(
            gettext("these villages already have grids (use redraw/split/merge): %(codes)s")
            % {"codes": ", ".join(already[:10])},
            field="grids",
            code="already_divided",
        )
    change = _file_change(actor, GridChange.Kind.DIVISION, region, reason, {})
    now = timezone.now()
    rows: list[Grid] = []
    for village_code in sorted(grids):
        village = villages[village_code]
        specs = list(grids[village_code])
        what = gettext("grid in %(code)s") % {"code": village_code}
        geoms = [_clean_geometry(s.geometry, what=what) for s in specs]
        codes = [f"{village_code}{i:03d}" for i in range(1, len(specs) + 1)]
        if len(codes) > 999:
            raise DomainError(
                gettext("village %(code)s cannot hold more than 999 grids") % {"code": village_code}
            )
        if check:
            _coverage_after(village, [], list(zip(codes, geoms, strict=True)))
        for code, spec, geom in zip(codes, specs, geoms, strict=True):
            grid = Grid(
                code=code,
                version=1,
                name=spec.name.strip() or default_grid_name(village, int(code[12:])),
                village=village,
                households=_clean_count(spec.households, "households") or 0,
                population=_clean_count(spec.population, "population") or 0,
                valid_from=now,
                created_by_change=change,
            )
            grid.set_geometry(geom)
            rows.append(grid)
    Grid.objects.bulk_create(rows, batch_size=1000)
    change.summary = {"villages": len(grids), "grids": len(rows)}
    change.save(update_fields=["summary"])
    audit.record(
        actor,
        RegionAction.GRID_DIVIDE,
        change,
        after={"villages": len(grids), "grids": len(rows), "codes": [g.code for g in rows[:2000]]},
        region_code=region.code,
        role=scoping.acting_role(actor, grant),
        note=reason,
    )
    transaction.on_commit(grid_index.invalidate)
    return change


@transaction.atomic
def set_region_geometries(actor: Any, geometries: dict[str, BaseGeometry], *, reason: str) -> int:
    """Set many region polygons at once (a county's survey of its townships and villages),
    with one audit record listing them."""
    reason = _require_reason(reason)
    regions = {r.code: r for r in Region.objects.filter(code__in=list(geometries))}
    unknown = sorted(set(geometries) - set(regions))
    if unknown:
        raise NotFound(
            gettext("unknown region codes: %(codes)s") % {"codes": ", ".join(unknown[:10])},
            field="region",
        )
    for code, geom in geometries.items():
        what = gettext("geometry of %(code)s") % {"code": code}
        regions[code].set_geometry(_clean_geometry(geom, what=what))
    fields = ["geometry_wkb", "min_lng", "min_lat", "max_lng", "max_lat", "area_m2"]
    Region.objects.bulk_update(list(regions.values()), fields, batch_size=500)
    audit.record(
        actor,
        RegionAction.REGION_SET_GEOMETRIES,
        object_type="regions.region",
        object_repr=f"{len(regions)} regions",
        after={code: round(r.area_m2 or 0) for code, r in sorted(regions.items())[:2000]},
        note=reason,
    )
    return len(regions)


@transaction.atomic
def acknowledge_filing(actor: Any, change_id: int, *, note: str = "") -> GridChange:
    """The city agency acknowledges a filed grid change (R8.2: submitted → acknowledged).
    Only the administrator of the city agency it is filed with may; acknowledging again
    changes nothing."""
    change = GridChange.objects.select_for_update().filter(pk=change_id).first()
    if change is None:
        raise NotFound(gettext("no grid change #%(id)s") % {"id": change_id})
    grant = require_acknowledger(actor, change)
    if change.filing_status == GridChange.Filing.ACKNOWLEDGED:
        return change
    change.filing_status = GridChange.Filing.ACKNOWLEDGED
    change.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    change.acknowledged_at = timezone.now()
    change.acknowledgement_note = note.strip()
    change.save(
        update_fields=[
            "filing_status",
            "acknowledged_by",
            "acknowledged_at",
            "acknowledgement_note",
        ]
    )
    audit.record(
        actor,
        RegionAction.GRID_CHANGE_ACKNOWLEDGE,
        change,
        before={"filing_status": GridChange.Filing.SUBMITTED},
        after={
            "filing_status": GridChange.Filing.ACKNOWLEDGED,
            "note": change.acknowledgement_note,
        },
        region_code=change.region.code,
        role=scoping.acting_role(actor, grant),
    )
    return change


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
