"""Split, merge and redraw grids (R8.1 动态调整): each change is planned first (what the preview
shows), then written; people and open cases follow the grids (``regions.succession``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError
from regions import geometry as geo
from regions import succession
from regions.actions import RegionAction
from regions.models import Grid, GridChange, Region
from regions.services.authority import require_drawer
from regions.services.common import (
    GeometryInput,
    GridSpec,
    VacancyChoices,
    WorkerChoices,
    change_summary,
    check_coverage_after,
    clean_count,
    clean_geometry,
    current_grids,
    default_grid_name,
    file_change,
    finish_change,
    new_grid,
    next_sequences,
    require_reason,
    retire_grids,
)


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


def _plan_redraw(
    actor: Actor, geometries: dict[str, GeometryInput], *, reason: str | None
) -> _Plan:
    old = current_grids(list(geometries), lock=reason is not None)
    village = old[0].village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        require_reason(reason)
    specs = {
        code: clean_geometry(geom, what=gettext("geometry of %(code)s") % {"code": code})
        for code, geom in geometries.items()
    }
    check_coverage_after(village, old, list(specs.items()))
    new = [
        (g.code, g.version + 1, GridSpec(specs[g.code], g.name, g.households, g.population))
        for g in old
    ]
    return _Plan(GridChange.Kind.REDRAW, RegionAction.GRID_REDRAW, grant, village, old, new)


def _plan_split(actor: Actor, code: str, parts: Sequence[GridSpec], *, reason: str | None) -> _Plan:
    (old,) = current_grids([code], lock=reason is not None)
    village = old.village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        require_reason(reason)
    if len(parts) < 2:
        raise DomainError(gettext("a split needs at least two parts"), field="parts")
    geoms = [
        clean_geometry(p.geometry, what=gettext("part %(n)d") % {"n": i + 1})
        for i, p in enumerate(parts)
    ]
    codes = next_sequences(village, len(parts))
    check_coverage_after(village, [old], list(zip(codes, geoms, strict=True)))
    areas = [geo.geodesic_area_m2(g) for g in geoms]
    total_area = sum(areas) or 1.0
    new = []
    for i, (part, geom, new_code) in enumerate(zip(parts, geoms, codes, strict=True)):
        share = areas[i] / total_area
        households = clean_count(part.households, "households")
        population = clean_count(part.population, "population")
        spec = GridSpec(
            geom,
            part.name.strip() or default_grid_name(village, int(new_code[12:])),
            round(old.households * share) if households is None else households,
            round(old.population * share) if population is None else population,
        )
        new.append((new_code, 1, spec))
    return _Plan(GridChange.Kind.SPLIT, RegionAction.GRID_SPLIT, grant, village, [old], new)


def _plan_merge(actor: Actor, codes: Sequence[str], *, name: str, reason: str | None) -> _Plan:
    if len(codes) < 2:
        raise DomainError(gettext("a merge needs at least two grids"), field="codes")
    old = current_grids(list(codes), lock=reason is not None)
    village = old[0].village
    grant = require_drawer(actor, village.code)
    if reason is not None:
        require_reason(reason)
    merged = geo.polygonal_part(shapely.union_all([g.geometry for g in old]))
    parts_before = sum(len(getattr(g.geometry, "geoms", [g.geometry])) for g in old)
    parts_after = len(getattr(merged, "geoms", [merged])) if merged is not None else 0
    if merged is None or parts_after >= parts_before:
        raise DomainError(
            gettext("only adjacent grids can be merged (these do not share a border)"),
            field="codes",
            code="not_adjacent",
        )
    (new_code,) = next_sequences(village, 1)
    check_coverage_after(village, old, [(new_code, merged)])
    spec = GridSpec(
        merged,
        name.strip() or default_grid_name(village, int(new_code[12:])),
        sum(g.households for g in old),
        sum(g.population for g in old),
    )
    new = [(new_code, 1, spec)]
    return _Plan(GridChange.Kind.MERGE, RegionAction.GRID_MERGE, grant, village, old, new)


def _preview(
    actor: Actor, plan: _Plan, workers: WorkerChoices, accept_vacant: VacancyChoices
) -> dict[str, Any]:
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


def _write(
    actor: Actor, plan: _Plan, reason: str, workers: WorkerChoices, accept_vacant: VacancyChoices
) -> list[Grid]:
    """File the change, retire the old rows, create the new ones, and carry people and cases
    over to them (``regions.succession``); a refusal there rolls everything back."""
    destinations, accepted = succession.clean_destinations(
        plan.successors(), workers, accept_vacant
    )
    change = file_change(actor, plan.kind, plan.village, reason, {})
    now = timezone.now()
    retire_grids(plan.old, change, now)
    new = [
        new_grid(code, version, plan.village, spec, change, now) for code, version, spec in plan.new
    ]
    change.summary = change_summary(plan.old, new)
    change.save(update_fields=["summary"])
    finish_change(actor, plan.action, change, plan.old, new, plan.grant)
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
    actor: Actor,
    geometries: dict[str, GeometryInput],
    *,
    reason: str,
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> list[Grid]:
    """Move the borders of one or more grids of a village together (R8.1 动态调整).

    Moving a shared border means redrawing both neighbours in one change; each keeps its code
    and gets a new version. Open cases whose point now lies in another of the redrawn grids
    move to it (``regions.succession``).
    """
    plan = _plan_redraw(actor, geometries, reason=reason or "")
    return _write(actor, plan, require_reason(reason), workers, accept_vacant)


@transaction.atomic
def split_grid(
    actor: Actor,
    code: str,
    parts: Sequence[GridSpec],
    *,
    reason: str,
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> list[Grid]:
    """Split one grid into N ≥ 2 new grids that exactly cover it (R8.1).

    Households and population not given are shared out by area. Open cases move to the part
    containing their point; workers to the part the administrator chose in ``workers``
    (``{assignment id: code | "end"}``), by default the part holding most of the old area;
    a part left without a leader must be named in ``accept_vacant`` (R10.2).
    """
    plan = _plan_split(actor, code, parts, reason=reason or "")
    return _write(actor, plan, require_reason(reason), workers, accept_vacant)


@transaction.atomic
def merge_grids(
    actor: Actor,
    codes: Sequence[str],
    *,
    name: str = "",
    reason: str,
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> Grid:
    """Merge N ≥ 2 adjacent grids of one village into one new grid (R8.1); their open cases
    and workers go to it (one leader: the others' assignments must be ended in ``workers``)."""
    plan = _plan_merge(actor, codes, name=name, reason=reason or "")
    (grid,) = _write(actor, plan, require_reason(reason), workers, accept_vacant)
    return grid


def preview_redraw(
    actor: Actor,
    geometries: dict[str, GeometryInput],
    *,
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> dict[str, Any]:
    """What :func:`redraw_grids` would do to workers and open cases; changes nothing."""
    return _preview(actor, _plan_redraw(actor, geometries, reason=None), workers, accept_vacant)


def preview_split(
    actor: Actor,
    code: str,
    parts: Sequence[GridSpec],
    *,
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> dict[str, Any]:
    """What :func:`split_grid` would do to workers and open cases; changes nothing."""
    return _preview(actor, _plan_split(actor, code, parts, reason=None), workers, accept_vacant)


def preview_merge(
    actor: Actor,
    codes: Sequence[str],
    *,
    name: str = "",
    workers: WorkerChoices = None,
    accept_vacant: VacancyChoices = None,
) -> dict[str, Any]:
    """What :func:`merge_grids` would do to workers and open cases; changes nothing."""
    plan = _plan_merge(actor, codes, name=name, reason=None)
    return _preview(actor, plan, workers, accept_vacant)
