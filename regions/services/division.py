"""The initial division of a region into grids (R8.1, R8.2 filed) and the survey of region
polygons it rests on."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from shapely.geometry.base import BaseGeometry

from audit import services as audit
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, NotFound
from regions import index as grid_index
from regions.actions import RegionAction
from regions.models import Grid, GridChange, Level, Region
from regions.services.authority import require_drawer
from regions.services.common import (
    GridSpec,
    check_coverage_after,
    clean_count,
    clean_geometry,
    default_grid_name,
    file_change,
    require_reason,
)


@transaction.atomic
def divide_region(
    actor: Actor,
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
    reason = require_reason(reason)
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
    change = file_change(actor, GridChange.Kind.DIVISION, region, reason, {})
    now = timezone.now()
    rows: list[Grid] = []
    for village_code in sorted(grids):
        village = villages[village_code]
        specs = list(grids[village_code])
        what = gettext("grid in %(code)s") % {"code": village_code}
        geoms = [clean_geometry(s.geometry, what=what) for s in specs]
        codes = [f"{village_code}{i:03d}" for i in range(1, len(specs) + 1)]
        if len(codes) > 999:
            raise DomainError(
                gettext("village %(code)s cannot hold more than 999 grids") % {"code": village_code}
            )
        if check:
            check_coverage_after(village, [], list(zip(codes, geoms, strict=True)))
        for code, spec, geom in zip(codes, specs, geoms, strict=True):
            grid = Grid(
                code=code,
                version=1,
                name=spec.name.strip() or default_grid_name(village, int(code[12:])),
                village=village,
                households=clean_count(spec.households, "households") or 0,
                population=clean_count(spec.population, "population") or 0,
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
def set_region_geometries(actor: Actor, geometries: dict[str, BaseGeometry], *, reason: str) -> int:
    """Set many region polygons at once (a county's survey of its townships and villages),
    with one audit record listing them."""
    reason = require_reason(reason)
    regions = {r.code: r for r in Region.objects.filter(code__in=list(geometries))}
    unknown = sorted(set(geometries) - set(regions))
    if unknown:
        raise NotFound(
            gettext("unknown region codes: %(codes)s") % {"codes": ", ".join(unknown[:10])},
            field="region",
        )
    for code, geom in geometries.items():
        what = gettext("geometry of %(code)s") % {"code": code}
        regions[code].set_geometry(clean_geometry(geom, what=what))
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
