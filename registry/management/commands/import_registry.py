from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gridgov.commands import GridgovCommand, argument
from registry.importing.reader import ImportRefused, Problem
from registry.models import ImportKind
from registry.services.imports import import_file

SHOWN = 50  # problems printed; the whole report goes to --report


class Command(GridgovCommand):
    help = (
        "Import residents, houses (with their standard addresses) or organisations from a CSV "
        "or .xlsx file: all rows or none; --dry-run checks and writes nothing (R11.1, R22.1)."
    )
    arguments = (
        argument("kind", choices=ImportKind.values),
        argument("file", help="a .csv or .xlsx file in the kind's layout (the template)"),
        argument("--dry-run", action="store_true", help="check every row, write nothing"),
        argument("--region", help="the jurisdiction to import into (a region code)"),
        argument("--report", help="write the problems report (CSV) to this file"),
    )

    def report(
        self,
        *,
        kind: str,
        file: str,
        dry_run: bool = False,
        region: str | None = None,
        report: str | None = None,
        **_: Any,
    ) -> Iterator[str]:
        path = Path(file)
        if not path.is_file():
            raise ImportRefused(f"{file}: no such file")
        result = import_file(
            "import_registry",
            kind,
            path,
            dry_run=dry_run,
            region_code=region,
            progress=lambda r: self.stderr.write(f"[{r.rows_checked}] rows checked"),
        )
        if report:
            Path(report).write_text(result.problems_csv(), encoding="utf-8")
        if not result.ok:
            for problem in result.problems[:SHOWN]:
                self.stderr.write(_line(path.name, problem))
            raise ImportRefused(result.summary())
        yield result.summary()


def _line(name: str, problem: Problem) -> str:
    return f"  {name}:{problem.row}: {problem.column}: {problem.reason}"
