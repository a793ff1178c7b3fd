from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gridgov.commands import GridgovCommand, argument
from regions.importers import import_boundaries
from regions.management import REPAIR


class Command(GridgovCommand):
    help = (
        "Attach GeoJSON polygons to regions, matching each feature's id or properties.code. "
        "Invalid geometries are refused unless --repair is given (R8.1)."
    )
    arguments = (argument("file", help="GeoJSON FeatureCollection"), REPAIR)

    def report(self, *, file: str, repair: bool, **_: Any) -> Iterator[str]:
        report = import_boundaries(file, repair=repair, progress=self.progress)
        for change in report.repaired:
            before, after = change.area_before_m2, change.area_after_m2
            yield (
                f"repaired {change.code} {change.name}: {change.problem}; "
                f"area {before / 1e6:.3f} km² → {after / 1e6:.3f} km² (Δ {after - before:+,.1f} m²)"
            )
        yield f"stored {len(report.stored)} boundaries ({len(report.repaired)} repaired)"
