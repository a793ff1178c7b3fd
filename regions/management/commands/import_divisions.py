from __future__ import annotations

from typing import Any

from gridgov.commands import GridgovCommand
from regions.importers import import_divisions


class Command(GridgovCommand):
    help = (
        "Load official statistical division codes (provinces/cities/areas/streets/villages.csv) "
        "into the region tree. Idempotent; renamed units are updated (R4, R8)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="folder holding the division CSV files")
        parser.add_argument("--city", help="only this 4-digit city code (and its ancestors)")

    def handle(self, *args: Any, **options: Any) -> None:
        report = import_divisions(options["directory"], city=options.get("city"))
        created = ", ".join(f"{level} {n}" for level, n in report.created.items() if n) or "none"
        self.stdout.write(
            f"created: {created}; renamed: {len(report.renamed)}; unchanged: {report.unchanged}"
        )
        for code, old, new in report.renamed:
            self.stdout.write(f"  renamed {code}: {old} → {new}")
