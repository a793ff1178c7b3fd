"""Reports on the workforce: grids without a leader (R10.2), a grid's workers, assignments on
retired grids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from gridgov.access import scoping
from people.models import GridAssignment, WorkerKind
from regions.models import Grid
from regions.staffing import GridStaff


def vacant_grids(user: Any, *, without_any_worker: bool = False) -> QuerySet[Grid]:
    """Current grids in the user's jurisdiction with no active leader (or no one at all).

    Assignments point at grid codes, so a redrawn grid keeps its people; the grids a split
    or merge creates are listed here until someone is assigned to them.
    """
    grids = scoping.scope_queryset(user, Grid.objects.current())
    active = GridAssignment.objects.filter(grid_code=OuterRef("code"), ended_on__isnull=True)
    leaders = active.filter(kind=WorkerKind.LEADER)
    grids = grids.annotate(has_leader=Exists(leaders))
    condition = ~Q(Exists(active)) if without_any_worker else Q(has_leader=False)
    return grids.filter(condition).select_related("village").defer("geometry_wkb").order_by("code")


def grid_workers(user: Any, code: str) -> GridStaff:
    """The grid's active assignments the user may see, leaders first, then by name."""
    order = {kind: i for i, kind in enumerate(WorkerKind.values)}
    rows = list(
        scoping.scope_queryset(user, GridAssignment.objects.active().filter(grid_code=code))
        .select_related("worker")
        .order_by("started_on")
    )
    workers = sorted(rows, key=lambda a: (order.get(a.kind, 9), a.worker.name))
    return GridStaff(workers=workers, has_leader=any(a.kind == WorkerKind.LEADER for a in workers))


@dataclass
class VacantGrid:
    grid: Grid
    workers: int
    has_leader: bool
    previous_workers: list[str] = field(default_factory=list)


def describe(grids: list[Grid]) -> list[VacantGrid]:
    """Counts of active workers, and the workers of the grids each one replaced (to reassign)."""
    codes = [g.code for g in grids]
    counts: dict[str, int] = {}
    for code in GridAssignment.objects.filter(
        grid_code__in=codes, ended_on__isnull=True
    ).values_list("grid_code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    change_ids = {g.created_by_change_id for g in grids if g.created_by_change_id}
    predecessors: dict[int, list[str]] = {}
    for old in Grid.objects.filter(retired_by_change_id__in=change_ids).only(
        "code", "retired_by_change_id"
    ):
        predecessors.setdefault(old.retired_by_change_id, []).append(old.code)
    previous: dict[str, list[str]] = {}
    old_codes = {c for codes in predecessors.values() for c in codes}
    for a in (
        GridAssignment.objects.filter(grid_code__in=old_codes)
        .select_related("worker")
        .order_by("grid_code", "-started_on")
    ):
        previous.setdefault(a.grid_code, []).append(
            f"{a.worker.name}({a.worker.get_kind_display()})"
        )
    out = []
    for grid in grids:
        names: list[str] = []
        for old_code in predecessors.get(grid.created_by_change_id or -1, []):
            names.extend(n for n in previous.get(old_code, []) if n not in names)
        out.append(
            VacantGrid(
                grid=grid,
                workers=counts.get(grid.code, 0),
                has_leader=bool(getattr(grid, "has_leader", False)),
                previous_workers=names,
            )
        )
    return out


def orphaned_assignments(user: Any) -> QuerySet[GridAssignment]:
    """Active assignments whose grid code has no current grid (after a split or merge)."""
    return (
        scoping.scope_queryset(user, GridAssignment.objects.active())
        .exclude(grid_code__in=Grid.objects.current().values("code"))
        .select_related("worker")
        .order_by("grid_code")
    )
