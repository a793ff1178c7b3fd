from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from demo.models import DemoStep
from demo.steps import STEPS


def load_demo(*, force: bool = False, log: Callable[[str], None] = print) -> list[str]:
    """Run the demo steps not yet loaded at their current version; returns their summaries."""
    done = {s.name: s.version for s in DemoStep.objects.all()}
    summaries = []
    for step in STEPS:
        if not force and done.get(step.name) == step.version:
            continue
        log(f"demo: loading {step.name} …")
        with transaction.atomic():
            summary = step.load_module().load()
            DemoStep.objects.update_or_create(
                name=step.name, defaults={"version": step.version, "summary": summary}
            )
        log(f"demo: {step.name}: {summary}")
        summaries.append(summary)
    basemap = ensure_basemap()
    if basemap:
        log(f"demo: {basemap}")
        summaries.append(basemap)
    return summaries


def ensure_basemap() -> str:
    """Build the base map (regions.basemap) at GRIDGOV_BASEMAP_PMTILES when it is missing or
    older than the last change of a region: the demo's maps then show its counties, townships
    and villages with their names. A deployment's own tile server needs none."""
    from regions import basemap
    from regions.models import Region

    target = settings.GRIDGOV.get("BASEMAP_PMTILES", "")
    if not target or settings.GRIDGOV["TILE_URL"]:
        return ""
    path = Path(target)
    changed = Region.objects.aggregate(last=Max("updated_at"))["last"]
    if changed is None:
        return ""
    if path.exists() and path.stat().st_mtime >= changed.timestamp():
        return ""
    return str(basemap.build(path))


def demo_info() -> list[str]:
    lines: list[str] = []
    for step in STEPS:
        module = step.load_module()
        info = getattr(module, "info", None)
        if info is not None:
            lines.extend(info())
    return lines
