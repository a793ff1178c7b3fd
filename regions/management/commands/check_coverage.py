from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError

from gridgov.commands import GridgovCommand, argument
from regions.coverage import check_region, default_tolerance
from regions.models import Region


class Command(GridgovCommand):
    help = (
        "Check seamless coverage under a region (R8.1): children inside their parent, siblings "
        "not overlapping, no gaps; household-size warnings. Exits 1 if any problem is found."
    )
    arguments = (
        argument("--region", help="region code (default: every top-level region)"),
        argument(
            "--tolerance",
            type=float,
            default=None,
            help=f"ignore pieces up to this many m² (default {default_tolerance():g})",
        ),
        argument("--no-warnings", action="store_true", help="print errors only"),
    )

    def report(
        self, *, region: str | None, tolerance: float | None, no_warnings: bool, **_: Any
    ) -> Iterator[str]:
        if tolerance is not None and tolerance < 0:
            raise CommandError("--tolerance must not be negative")
        if region:
            roots = [region]
        else:
            roots = list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
            if not roots:
                raise CommandError("no regions loaded; run import_divisions first")
        errors = 0
        for root in roots:
            report = check_region(root, tolerance_m2=tolerance)
            for problem in report.problems:
                if not (problem.severity == "warning" and no_warnings):
                    yield problem.line()
            errors += len(report.errors)
            yield (
                f"{root}: {report.parents_checked} parents, {report.units_checked} units checked, "
                f"tolerance {report.tolerance_m2:g} m²: {len(report.errors)} problems, "
                f"{len(report.warnings)} warnings"
            )
        if errors:
            raise CommandError(f"{errors} coverage problems found")
