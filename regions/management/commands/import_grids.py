from __future__ import annotations

from typing import Any

from gridgov.commands import GridgovCommand
from regions.grid_import import import_grids


class Command(GridgovCommand):
    help = (
        "Load a county's first division of grids from GeoJSON or a Shapefile (.shp, or a .zip "
        "of .shp/.shx/.dbf[/.prj/.cpg]); each feature a grid with properties village (12 "
        "digits) or code (15), and optional name, households, population. Checked like "
        "import_boundaries, filed with the city, followed by the county's coverage report "
        "(R8.1, R8.2)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="GeoJSON FeatureCollection or Shapefile")
        parser.add_argument(
            "--repair",
            action="store_true",
            help="make invalid geometries valid (keep polygonal parts) and report the change",
        )
        parser.add_argument("--reason", default="", help="reason filed with the city")
        parser.add_argument(
            "--encoding", default=None, help="the DBF's text encoding (default: .cpg, or UTF-8)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_grids(
            options["file"],
            repair=options["repair"],
            reason=options["reason"],
            encoding=options["encoding"],
        )
        for line in report.lines():
            self.stdout.write(line)
