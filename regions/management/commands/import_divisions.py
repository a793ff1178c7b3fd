from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gridgov.commands import GridgovCommand, argument
from regions.importers import import_divisions


class Command(GridgovCommand):
    help = (
        "Load official statistical division codes (provinces/cities/areas/streets/villages.csv) "
        "into the region tree. Idempotent; renamed units are updated (R4, R8)."
    )
    arguments = (
        argument("directory", help="folder holding the division CSV files"),
        argument("--city", help="only this 4-digit city code (and its ancestors)"),
    )

    def report(self, *, directory: str, city: str | None = None, **_: Any) -> Iterator[str]:
        report = import_divisions(directory, city=city)
        created = ", ".join(f"{level} {n}" for level, n in report.created.items() if n) or "none"
        yield f"created: {created}; renamed: {len(report.renamed)}; unchanged: {report.unchanged}"
        for code, old, new in report.renamed:
            yield f"  renamed {code}: {old} → {new}"
