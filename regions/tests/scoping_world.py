"""Region and grid-change objects of each zone for the URL-enumeration test (R22.1).

Grids themselves come from ``gridgov.testing.world`` (``regions.grid``).
"""

from __future__ import annotations

from django.db import models

from gridgov.testing import people
from gridgov.testing.world import ACTOR, World, Zone, factory
from regions import services
from regions.models import Region


@factory("regions.region")
def _region(world: World, zone: Zone) -> models.Model:
    # The zone's village: the grid editor only opens on villages, other pages on any level.
    world.get("regions.grid", zone)
    return Region.objects.get(code=zone.village)


@factory("regions.gridchange")
def _grid_change(world: World, zone: Zone) -> models.Model:
    # A filed change (R8.2) of the zone's spare grid, with the marker in its reason.
    world.get("regions.grid", zone)
    grid = people.make_grid(zone.spare_grid)
    new = services.update_grid(
        ACTOR, grid.code, households=grid.households + 1, reason=world.marker(zone, "GridChange")
    )
    return new.created_by_change
