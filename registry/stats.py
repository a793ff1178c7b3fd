"""A grid's statistics and the per-grid table of an area (R11.1 (二)): households, residents
by kind, special groups by kind (the kinds the user may see), places by risk level, visits and
inspections due and overdue.

Each block is one grouped query over a scoped queryset (``scope_queryset``: the user's
jurisdiction, and for tags the visibility table), narrowed to one grid or to every grid under
an area code. The counts use the indexes on ``grid_code``/``region_code`` (and the partial
due-visit indexes of the tags); nothing is counted row by row in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gridgov.access import scoping
from gridgov.errors import NotFound
from regions.models import Grid
from registry import due, inspections
from registry.models import (
    Household,
    Place,
    Resident,
    ResidentKind,
    ResidentStatus,
    RiskLevel,
    SpecialGroupTag,
)
from registry.visibility import SpecialGroupKind

GRID_CODE_LENGTH = 15
DUE_WITHIN = 7  # days ahead counted as "due soon"


def _where(queryset: QuerySet, code: str) -> QuerySet:
    """The rows of one grid, or of every grid (and village) under an area code."""
    if len(code) == GRID_CODE_LENGTH:
        return queryset.filter(grid_code=code)
    return queryset.filter(Q(grid_code__startswith=code) | Q(region_code__startswith=code))


def _living(queryset: QuerySet[Resident]) -> QuerySet[Resident]:
    return queryset.filter(status=ResidentStatus.LIVING, merged_into__isnull=True)


def _grouped(queryset: QuerySet, key: str) -> dict[tuple[str, str], int]:
    """{(grid code, key value): count} in one grouped query."""
    rows = queryset.order_by().values_list("grid_code", key).annotate(n=Count("pk"))
    return {(grid, value): n for grid, value, n in rows}


def _per_grid(queryset: QuerySet) -> dict[str, int]:
    rows = queryset.order_by().values_list("grid_code").annotate(n=Count("pk"))
    return dict(rows)


def _blocks(user: Any, code: str, today: dt.date) -> dict[str, Any]:
    """Every block's counts per grid under ``code`` (one query each)."""
    scoped = lambda model: _where(scoping.scope_queryset(user, model.objects.all()), code)  # noqa: E731
    places = scoped(Place).filter(is_active=True)
    visits = due.counts_by_grid(scoped(SpecialGroupTag), today=today, within=DUE_WITHIN)
    return {
        "households": _per_grid(scoped(Household)),
        "residents": _grouped(_living(scoped(Resident)), "kind"),
        "groups": _grouped(due.open_tags(scoped(SpecialGroupTag)), "kind"),
        "places": _grouped(places, "risk_level"),
        "visits": {row["grid_code"]: (row["overdue"], row["due"]) for row in visits},
        "inspections_overdue": _per_grid(inspections.due(places, today=today, overdue_only=True)),
        "inspections_due": _per_grid(inspections.due(places, today=today, within=DUE_WITHIN)),
    }


def visible_kinds(user: Any) -> list[str]:
    """The special-group kinds the user may see somewhere (the columns of the groups block)."""
    from registry.visibility import kinds_visible_to

    if scoping.is_unrestricted(user):
        return list(SpecialGroupKind.values)
    seen: set[str] = set()
    departments = _department_kinds(user)
    for grant in scoping.grants_for(user):
        seen |= kinds_visible_to(grant.role, departments.get(grant.department_id or 0))
    return [k for k in SpecialGroupKind.values if k in seen]


def _department_kinds(user: Any) -> dict[int, str]:
    from people.models import Department

    ids = scoping.department_ids(user)
    if not ids:
        return {}
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "kind__code"))


def _by_grid(blocks: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The blocks regrouped by grid code: {grid: {block: count or {key: count}}}."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for name, values in blocks.items():
        for key, n in values.items():
            if isinstance(key, tuple):
                out[key[0]][name][key[1]] += n
            else:
                out[key][name] = n
    return out


def _row(per_grid: list[dict[str, Any]], kinds: list[str]) -> dict[str, Any]:
    """One row of statistics: the counts of ``per_grid`` (each grid's blocks) summed."""

    def total(name: str) -> int:
        return sum(int(g.get(name) or 0) for g in per_grid)

    def keyed(name: str, key: str) -> int:
        return sum(g[name].get(key, 0) if name in g else 0 for g in per_grid)

    visits = [g["visits"] for g in per_grid if isinstance(g.get("visits"), tuple)]
    residents = {kind: keyed("residents", kind) for kind in ResidentKind.values}
    return {
        "households": total("households"),
        "residents": residents,
        "residents_total": sum(residents.values()),
        "groups": {kind: keyed("groups", kind) for kind in kinds},
        "places": {level: keyed("places", level) for level in RiskLevel.values},
        "visits": {"overdue": sum(v[0] for v in visits), "due": sum(v[1] for v in visits)},
        "inspections": {
            "overdue": total("inspections_overdue"),
            "due": total("inspections_due") - total("inspections_overdue"),
        },
    }


def grid_statistics(user: Any, grid_code: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """The statistics of one grid the user may see (NotFound otherwise):
    ``{"grid": Grid, "households": n, "residents": {kind: n}, "residents_total": n,
    "groups": {kind: n} (visible kinds), "places": {risk level: n}, "visits": {"overdue": n,
    "due": n}, "inspections": {"overdue": n, "due": n}}``; "due" counts what falls due from today to
    :data:`DUE_WITHIN` days ahead, "overdue" what fell due before today (a place never
    inspected is overdue)."""
    grid = (
        scoping.scope_queryset(user, Grid.objects.current())
        .filter(code=grid_code)
        .select_related("village")
        .first()
    )
    if grid is None or len(grid_code) != GRID_CODE_LENGTH:
        raise NotFound(f"grid {grid_code}")
    today = today or timezone.localdate()
    blocks = _blocks(user, grid_code, today)
    return {"grid": grid, **_row(list(_by_grid(blocks).values()), visible_kinds(user))}


def area_statistics(user: Any, area_code: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """The same statistics per grid for every current grid the user may see under
    ``area_code`` (a township or county code): ``{"rows": [{"grid": Grid, **row}],
    "total": row, "kinds": [visible kinds]}``; records placed in a village but no grid are
    counted in the total only."""
    today = today or timezone.localdate()
    grids = list(
        scoping.scope_queryset(user, Grid.objects.current())
        .filter(code__startswith=area_code)
        .select_related("village")
        .order_by("code")
    )
    kinds = visible_kinds(user)
    blocks = _blocks(user, area_code, today)
    per_grid = _by_grid(blocks)
    rows = [{"grid": grid, **_row([per_grid.get(grid.code, {})], kinds)} for grid in grids]
    return {"rows": rows, "total": _row(list(per_grid.values()), kinds), "kinds": kinds}
