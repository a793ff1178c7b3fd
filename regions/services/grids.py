"""Adding one grid to a village and changing a grid's name or size figures (R8.1, R8.2 filed)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from gridgov.actors import Actor
from gridgov.errors import DomainError
from regions.actions import RegionAction
from regions.models import Grid, GridChange
from regions.services.authority import require_drawer
from regions.services.common import (
    GridSpec,
    change_summary,
    check_coverage_after,
    clean_count,
    clean_geometry,
    current_grids,
    default_grid_name,
    file_change,
    find_village,
    finish_change,
    new_grid,
    next_sequences,
    require_reason,
    retire_grids,
)


@transaction.atomic
def create_grid(actor: Actor, village_code: str, spec: GridSpec, *, reason: str) -> Grid:
    """Add one grid to a village, where no grid covers the ground yet (R8.1)."""
    village = find_village(village_code)
    grant = require_drawer(actor, village.code)
    reason = require_reason(reason)
    geom = clean_geometry(spec.geometry, what=gettext("grid geometry"))
    households = clean_count(spec.households, "households")
    population = clean_count(spec.population, "population")
    (code,) = next_sequences(village, 1)
    check_coverage_after(village, [], [(code, geom)])
    name = spec.name.strip() or default_grid_name(village, int(code[12:]))
    change = file_change(actor, GridChange.Kind.CREATE, village, reason, {})
    grid = new_grid(
        code, 1, village, GridSpec(geom, name, households, population), change, timezone.now()
    )
    change.summary = change_summary([], [grid])
    change.save(update_fields=["summary"])
    finish_change(actor, RegionAction.GRID_CREATE, change, [], [grid], grant)
    return grid


@transaction.atomic
def update_grid(
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    households: int | None = None,
    population: int | None = None,
    reason: str,
) -> Grid:
    """Change a grid's name or size figures; a new version keeps the old figures on record."""
    (old,) = current_grids([code])
    grant = require_drawer(actor, old.village.code)
    reason = require_reason(reason)
    households = clean_count(households, "households")
    population = clean_count(population, "population")
    if name is not None and not name.strip():
        raise DomainError(gettext("name must not be empty"), field="name")
    new_values = {
        "name": old.name if name is None else name.strip(),
        "households": old.households if households is None else households,
        "population": old.population if population is None else population,
    }
    if all(getattr(old, k) == v for k, v in new_values.items()):
        return old  # nothing changes: a resent request is not a new version
    change = file_change(actor, GridChange.Kind.UPDATE, old.village, reason, {})
    now = timezone.now()
    retire_grids([old], change, now)
    grid = new_grid(
        old.code,
        old.version + 1,
        old.village,
        GridSpec(
            old.geometry, new_values["name"], new_values["households"], new_values["population"]
        ),
        change,
        now,
    )
    change.summary = change_summary([old], [grid])
    change.save(update_fields=["summary"])
    finish_change(actor, RegionAction.GRID_UPDATE, change, [old], [grid], grant)
    return grid
