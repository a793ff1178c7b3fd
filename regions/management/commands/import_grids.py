from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gridgov.commands import GridgovCommand, argument
from regions.grid_import import import_grids
from regions.management import REPAIR


class Command(GridgovCommand):
    help = (
        "Load a county's first division of grids from GeoJSON or a Shapefile (.shp, or a .zip "
        "of .shp/.shx/.dbf[/.prj/.cpg]); each feature a grid with properties village (12 "
        "digits) or code (15), and optional name, households, population. Checked like "
        "import_boundaries, filed with the city, followed by the county's coverage report "
        "(R8.1, R8.2)."
    )
    arguments = (
        argument("file", help="GeoJSON FeatureCollection or Shapefile"),
        REPAIR,
        argument("--reason", default="", help="reason filed with the city"),
        argument(
            "--encoding", default=None, help="the DBF's text encoding (default: .cpg, or UTF-8)"
        ),
    )

    def report(
        self, *, file: str, repair: bool, reason: str, encoding: str | None, **_: Any
    ) -> Iterator[str]:
        yield from import_grids(file, repair=repair, reason=reason, encoding=encoding).lines()
