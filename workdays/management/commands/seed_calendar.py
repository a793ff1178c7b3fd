"""Seed the working-day calendar from the holidays packages (R24.2, R24.3).

manage.py seed_calendar                    # every year a package has notice data for, 2015+
manage.py seed_calendar --years 2020-2027  # a range (or a list: 2024,2025)
manage.py seed_calendar --open-year 2027   # cover a year no package has yet, provisionally:
                                           # the law's holidays until the notice is entered
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from gridgov.commands import GridgovCommand
from gridgov.errors import DomainError
from workdays import services


def parse_years(text: str) -> list[int]:
    years: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                first, last = (int(p) for p in part.split("-", 1))
                if first > last:
                    raise ValueError
                years.extend(range(first, last + 1))
            else:
                years.append(int(part))
        except ValueError as exc:
            raise DomainError(
                f"--years: {part!r} is not a year or a range like 2020-2027", field="years"
            ) from exc
    if not years:
        raise DomainError("--years names no year", field="years")
    return years


class Command(GridgovCommand):
    help = "Seed the working-day calendar (holidays, cross-checked against chinesecalendar)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", help="e.g. 2020-2027 or 2024,2025 (default: all available)")
        parser.add_argument(
            "--open-year",
            type=int,
            help="cover a year that no package has yet, provisionally: the statutory holidays "
            "(no make-up working days) until the State Council's notice is entered",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["open_year"] is not None:
            record = services.open_year(None, options["open_year"])
            how = "provisionally, " if record.provisional else ""
            self.stdout.write(f"{record.year}: covered ({how}{', '.join(record.sources)})")
            if record.provisional:
                self.stdout.write(
                    f"  statutory holidays only: enter the State Council's notice for "
                    f"{record.year} when it is out (seed_calendar --notice FILE, or the "
                    "calendar page)"
                )
            return
        years = parse_years(options["years"]) if options["years"] else services.default_years()
        reports = services.seed_years(years, None)
        available = set(services.available_years())
        for report in reports:
            if not report.seeded:
                self.stdout.write(
                    self.style.WARNING(
                        f"{report.year}: no package has the State Council notice for this year;"
                        " not seeded (deadlines in it stay an error until it is seeded or"
                        " opened provisionally with --open-year)"
                    )
                )
                continue
            self.stdout.write(
                f"{report.year}: {'+'.join(report.sources)}: {report.created} created, "
                f"{report.updated} updated, {report.kept_manual} manual kept, "
                f"{len(report.discrepancies)} discrepancies"
            )
            if report.deadlines_moved:
                self.stdout.write(f"  {report.deadlines_moved} open deadlines recomputed")
            for item in report.discrepancies:
                self.stdout.write(
                    f"  {item['date']}: holidays says "
                    f"{'workday' if item['holidays'] else 'day off'}, chinesecalendar says "
                    f"{'workday' if item['chinesecalendar'] else 'day off'}; kept {item['kept']}"
                )
            if report.year + 1 not in available:
                self.stdout.write(
                    f"  note: the {report.year + 1} notice is not in any package yet; make-up "
                    f"days it may set in late {report.year} must be entered by hand"
                )
