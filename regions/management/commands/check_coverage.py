from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from gridgov.commands import GridgovCommand
from regions.coverage import check_region, default_tolerance
from regions.models import Region


class Command(GridgovCommand):
    help = (
        "Check seamless coverage under a region (R8.1): children inside their parent, siblings "
        "not overlapping, no gaps; household-size warnings. Exits 1 if any problem is found."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", help="region code (default: every top-level region)")
        parser.add_argument(
            "--tolerance",
            type=float,
            default=None,
            help=f"ignore pieces up to this many m² (default {default_tolerance():g})",
        )
        parser.add_argument("--no-warnings", action="store_true", help="print errors only")

    def handle(self, *args: Any, **options: Any) -> None:
        tolerance = options["tolerance"]
        if tolerance is not None and tolerance < 0:
            raise CommandError("--tolerance must not be negative")
        if options["region"]:
            roots = [options["region"]]
        else:
            roots = list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
            if not roots:
                raise CommandError("no regions loaded; run import_divisions first")
        errors = warnings = 0
        for root in roots:
            report = check_region(root, tolerance_m2=tolerance)
            for problem in report.problems:
                if problem.severity == "warning" and options["no_warnings"]:
                    continue
                self.stdout.write(problem.line())
            errors += len(report.errors)
            warnings += len(report.warnings)
            self.stdout.write(
                f"{root}: {report.parents_checked} parents, {report.units_checked} units checked, "
                f"tolerance {report.tolerance_m2:g} m²: {len(report.errors)} problems, "
                f"{len(report.warnings)} warnings"
            )
        if errors:
            raise CommandError(f"{errors} coverage problems found")
