from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from gridgov.commands import GridgovCommand
from regions import basemap


class Command(GridgovCommand):
    help = (
        "Build a vector base map (PMTiles) from the regions' outlines and names: counties, "
        "townships, villages. Written to GRIDGOV_BASEMAP_PMTILES unless --output is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="where to write the archive (.pmtiles)")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["output"] or settings.GRIDGOV["BASEMAP_PMTILES"]
        if not target:
            raise CommandError("no --output and GRIDGOV_BASEMAP_PMTILES is blank: nowhere to write")
        try:
            summary = basemap.build(Path(target))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(summary))
