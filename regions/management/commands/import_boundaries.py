from __future__ import annotations

from typing import Any

from gridgov.commands import GridgovCommand
from regions.importers import import_boundaries


class Command(GridgovCommand):
    help = (
        "Attach GeoJSON polygons to regions, matching each feature's id or properties.code. "
        "Invalid geometries are refused unless --repair is given (R8.1)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="GeoJSON FeatureCollection")
        parser.add_argument(
            "--repair",
            action="store_true",
            help="make invalid geometries valid (keep polygonal parts) and report the change",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_boundaries(
            options["file"], repair=options["repair"], progress=self.progress
        )
        for change in report.repaired:
            before, after = change.area_before_m2, change.area_after_m2
            self.stdout.write(
                f"repaired {change.code} {change.name}: {change.problem}; "
                f"area {before / 1e6:.3f} km² → {after / 1e6:.3f} km² (Δ {after - before:+,.1f} m²)"
            )
        self.stdout.write(
            f"stored {len(report.stored)} boundaries ({len(report.repaired)} repaired)"
        )
