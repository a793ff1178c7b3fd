"""Demo step: the Jiangmen region tree, county outlines, and generated grids (R8.1)."""

from __future__ import annotations

from demo.steps import CITY_CODE, DATA_DIR
from regions.importers import import_boundaries, import_divisions


def load() -> str:
    report = import_divisions(DATA_DIR, city=CITY_CODE, actor="demo")
    boundaries = import_boundaries(
        DATA_DIR / "jiangmen-counties.geojson", repair=True, actor="demo"
    )
    return (
        f"{report.total_created} regions, {len(boundaries.stored)} county outlines "
        f"({len(boundaries.repaired)} repaired)"
    )
