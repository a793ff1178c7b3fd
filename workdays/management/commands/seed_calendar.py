"""Seed the working-day calendar from the holidays packages (R24.2, R24.3).

manage.py seed_calendar                    # every year a package has notice data for, 2015+
manage.py seed_calendar --years 2020-2027  # a range (or a list: 2024,2025)
manage.py seed_calendar --open-year 2027   # cover a year no package has yet, provisionally:
                                           # the law's holidays until the notice is entered
manage.py seed_calendar --notice 2027.toml  # enter the State Council's notice (.toml or .json,
                                           # see workdays.notices); recomputes open deadlines

A notice file in TOML::

    year = 2027
    reference = "国办发明电〔2026〕12号"
    holidays = [
      { name = "元旦", start = 2027-01-01, end = 2027-01-03 },
      { name = "春节", start = 2027-02-05, end = 2027-02-11 },
    ]
    workdays = [ { date = 2027-02-14, name = "春节调休上班" }, 2027-02-20 ]
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from gridgov.commands import GridgovCommand
from gridgov.errors import DomainError
from workdays import notices, services

MAX_NOTICE_BYTES = 64 * 1024


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
        parser.add_argument(
            "--notice",
            metavar="FILE",
            help="enter the State Council's notice for a year from a .toml or .json file "
            "(breaks and make-up working days); recomputes the open deadlines it moves",
        )

    def enter_notice(self, path: Path) -> None:
        notice = notices.parse(read_notice_file(path))
        result = notices.enter_notice(None, notice)
        if not result.changed:
            self.stdout.write(f"{notice.year}: this notice is already entered; nothing changed")
            return
        reference = f" ({notice.reference})" if notice.reference else ""
        self.stdout.write(
            f"{notice.year}: notice entered{reference}: {len(notice.holidays)} breaks, "
            f"{len(notice.workdays)} make-up working days; {result.updated} days changed, "
            f"{result.kept_manual} manual kept; {result.deadlines_moved} open deadlines moved"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["notice"] is not None:
            self.enter_notice(Path(options["notice"]))
            return
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


def read_notice_file(path: Path) -> Any:
    """The data of a notice file (TOML by its suffix, JSON otherwise); one readable error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DomainError(f"--notice: cannot read {path}: {exc.strerror}", field="notice") from exc
    if len(raw) > MAX_NOTICE_BYTES:
        raise DomainError(f"--notice: {path} is larger than a notice can be", field="notice")
    try:
        text = raw.decode("utf-8")
        if path.suffix.lower() == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (
        UnicodeDecodeError,
        tomllib.TOMLDecodeError,
        json.JSONDecodeError,
        RecursionError,
    ) as exc:
        raise DomainError(f"--notice: {path} is not valid: {exc}", field="notice") from exc
