"""The coverage report of a region for the web UI and the API (R8.1 无缝覆盖, 规模适度).

:func:`regions.coverage.check_region` takes about a second for a county of ~700 grids and
several seconds for a whole city, so its result is cached as plain data: per region, grid
generation (``regions.index`` bumps it on every committed grid change), the state of the
region tree under it (region polygons change without a grid change) and the language of the
problems' messages. ``refresh`` recomputes.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import get_language

from regions import coverage
from regions import index as grid_index
from regions.models import Region

CACHE_SECONDS = 7 * 24 * 3600
KEY_PREFIX = "regions:coverage-report"


def _cache_key(region: Region) -> str:
    tree = Region.objects.within(region.code).aggregate(n=Count("pk"), changed=Max("updated_at"))
    changed = tree["changed"].timestamp() if tree["changed"] else 0
    return (
        f"{KEY_PREFIX}:{region.code}:{grid_index.current_generation()}:"
        f"{tree['n']}:{changed:.6f}:{coverage.default_tolerance()}"
        # the problems' messages are in the language of the request that computed the report
        f":{get_language()}"
    )


def cached_report(region: Region) -> dict[str, Any] | None:
    """The report if it is in the cache for the current state, else None (no computation)."""
    found = cache.get(_cache_key(region))
    return None if found is None else {**found, "cached": True}


def region_report(region: Region, *, refresh: bool = False) -> dict[str, Any]:
    """The coverage report of ``region`` as data (cached; see the module docstring)."""
    key = _cache_key(region)
    if not refresh:
        found = cache.get(key)
        if found is not None:
            return {**found, "cached": True}
    started = time.perf_counter()
    report = coverage.check_region(region.code)
    seconds = time.perf_counter() - started
    data = {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "ok": report.ok,
        "tolerance_m2": report.tolerance_m2,
        "parents_checked": report.parents_checked,
        "units_checked": report.units_checked,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        # errors first, then warnings; each in the order the check found them
        "problems": [p.as_dict() for p in [*report.errors, *report.warnings]],
        "computed_at": timezone.now().isoformat(),
        "seconds": round(seconds, 3),
    }
    cache.set(key, data, CACHE_SECONDS)
    return {**data, "cached": False}
