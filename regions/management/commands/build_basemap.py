from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from gridgov.commands import GridgovCommand, argument
from regions import basemap


class Command(GridgovCommand):
    help = (
        "Build a vector base map (PMTiles) from the regions' outlines and names: counties, "
        "townships, villages. Written to GRIDGOV_BASEMAP_PMTILES unless --output is given."
    )
    arguments = (argument("--output", help="where to write the archive (.pmtiles)"),)

    def report(self, *, output: str | None, **_: Any) -> Iterator[str]:
        target = output or settings.GRIDGOV["BASEMAP_PMTILES"]
        if not target:
            raise CommandError("no --output and GRIDGOV_BASEMAP_PMTILES is blank: nowhere to write")
        try:
            summary = basemap.build(Path(target))
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        yield str(summary)
