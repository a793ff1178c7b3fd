"""Covering years of the calendar: seeding them from the installed packages, cross-checked, and
opening a year provisionally from the statutory holidays (R24.2, R24.3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from audit.services import record
from gridgov import rows
from gridgov.actors import Actor
from gridgov.errors import DomainError
from workdays import sources
from workdays.actions import WorkdayAction
from workdays.models import CalendarDay, CalendarYear, Source
from workdays.services.common import (
    FIRST_DEFAULT_YEAR,
    YEAR_RANGE,
    calendar_changed,
    days_changed,
)


def available_years() -> list[int]:
    """Years for which an installed package carries the State Council's notice."""
    return sorted(sources.holidays_years() | sources.chinesecalendar_years())


def default_years() -> list[int]:
    """``seed_calendar`` without ``--years``: every available year from 2015 on."""
    return [year for year in available_years() if year >= FIRST_DEFAULT_YEAR]


@dataclass
class YearReport:
    year: int
    sources: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    kept_manual: int = 0
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    deadlines_moved: int = 0

    @property
    def seeded(self) -> bool:
        return bool(self.sources)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def merge_sources(
    primary: sources.YearDays | None, check: sources.YearDays | None
) -> tuple[sources.YearDays, list[str], list[dict[str, Any]]]:
    """Combine the two packages' view of a year: (days, sources used, discrepancies).

    On a discrepancy ``holidays`` wins and the disagreement is recorded for administrators to
    review. Why: ``holidays`` stores each notice's swaps as explicit (day off, day worked) pairs
    together with a citation of the notice, including swaps that reach into the previous year,
    and is the source the issue names for seeding. The one disagreement the installed versions
    show (2004–2026) is Saturday 2005-12-31: the 2006 notice (国办发明电〔2005〕35号) says
    "12月31日(星期六)上班", as ``holidays`` has it, while ``chinesecalendar`` treats it as a
    weekend. A year only one package covers is taken from that package.
    """
    used: list[str] = []
    if primary is not None:
        used.append(Source.HOLIDAYS.value)
    if check is not None:
        used.append(Source.CHINESECALENDAR.value)
    base = primary if primary is not None else check
    if base is None:
        return {}, [], []
    found: list[dict[str, Any]] = []
    if primary is not None and check is not None:
        for day, info in primary.items():
            other = check.get(day)
            if other is not None and other.is_workday != info.is_workday:
                found.append(
                    {
                        "date": day.isoformat(),
                        "holidays": info.is_workday,
                        "chinesecalendar": other.is_workday,
                        "kept": Source.HOLIDAYS.value,
                    }
                )
    return base, used, found


def seeded(year_record: CalendarYear, created: int, updated: int, kept: int) -> dict[str, Any]:
    """What a year became, for the audit record of its seeding: sources, provisional flag and
    what :func:`upsert_days` did (R24.2)."""
    return {
        "sources": year_record.sources,
        "provisional": year_record.provisional,
        "created": created,
        "updated": updated,
        "kept_manual": kept,
    }


def upsert_days(
    year: int, days: sources.YearDays, source: str, *, provisional: bool = False
) -> tuple[int, int, int]:
    """Write a year's days in bulk; rows an administrator edited are kept. (created, updated,
    kept manual). ``provisional``: the days come from the law alone (R24.2)."""
    existing = {
        row.date: row
        for row in CalendarDay.objects.select_for_update().filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        )
    }
    to_create: list[CalendarDay] = []
    to_update: list[CalendarDay] = []
    kept = 0
    for day, info in days.items():
        row = existing.get(day)
        if row is None:
            to_create.append(
                CalendarDay(
                    date=day,
                    is_workday=info.is_workday,
                    kind=info.kind,
                    name=info.name,
                    source=source,
                    provisional=provisional,
                )
            )
            continue
        if row.source == Source.MANUAL:
            kept += 1
            continue
        wanted = (info.is_workday, str(info.kind), info.name, source, provisional)
        if (row.is_workday, row.kind, row.name, row.source, row.provisional) != wanted:
            row.is_workday, row.kind, row.name, row.source, row.provisional = wanted
            to_update.append(row)
    CalendarDay.objects.bulk_create(to_create, batch_size=1000)
    rows.update_many(
        CalendarDay, to_update, ["is_workday", "kind", "name", "source", "provisional"]
    )
    return len(to_create), len(to_update), kept


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def check_year(year: object) -> int:
    """The year, or a 400 when it is not one the calendar may hold (R24.2)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise DomainError(gettext("%(year)r is not a year") % {"year": year}, field="years")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise DomainError(
            gettext("year %(year)s is outside %(first)s–%(last)s")
            % {"year": year, "first": YEAR_RANGE[0], "last": YEAR_RANGE[1]},
            field="years",
        )
    return year


@transaction.atomic
def seed_years(years: Iterable[int], actor: Actor) -> list[YearReport]:
    """Seed the given years from the packages, cross-checked (R24.2, R24.3).

    Idempotent: a second run with the same packages changes nothing and records nothing. Days
    an administrator edited (source ``manual``) are never overwritten. A year that neither
    package covers is not seeded (its report has no sources). A provisional year a package
    now has the notice for is confirmed, and the open deadlines its days move are recomputed
    (as when an administrator enters the notice, ``workdays.notices``).
    """
    reports: list[YearReport] = []
    moved_spans: list[int] = []
    for year in sorted({check_year(y) for y in years}):
        days, used, found = merge_sources(
            sources.from_holidays(year), sources.from_chinesecalendar(year)
        )
        report = YearReport(year, used, discrepancies=found)
        reports.append(report)
        if not days:
            continue
        report.created, report.updated, report.kept_manual = upsert_days(year, days, used[0])
        record_before = CalendarYear.objects.filter(year=year).first()
        before = (
            {
                "sources": record_before.sources,
                "discrepancies": record_before.discrepancies,
                "provisional": record_before.provisional,
            }
            if record_before
            else None
        )
        after = {"sources": used, "discrepancies": found, "provisional": False}
        if before == after and not report.changed:
            continue
        if report.updated or (before or {}).get("provisional"):
            moved_spans.append(year)
        if (before or {}).get("provisional"):
            CalendarDay.objects.filter(date__year=year, provisional=True).update(provisional=False)
        year_record, _ = CalendarYear.objects.update_or_create(
            year=year, defaults={"sources": used, "discrepancies": found, "provisional": False}
        )
        record(
            actor,
            WorkdayAction.SEED_YEAR,
            year_record,
            before=before,
            after={
                **after,
                "created": report.created,
                "updated": report.updated,
                "kept_manual": report.kept_manual,
            },
        )
    if any(r.seeded for r in reports):
        calendar_changed()
    for year in moved_spans:
        report = next(r for r in reports if r.year == year)
        report.deadlines_moved = days_changed(*year_span(year), actor, "seed")
    return reports


@transaction.atomic
def open_year(actor: Actor, year: int) -> CalendarYear:
    """Cover a year that no package has the notice for yet, provisionally (R24.2): the
    statutory holidays the law fixes (with its 补假 days), weekends as usual, no make-up
    working days. Without this, deadlines running into a new year stop with
    ``calendar_not_covered`` until the packages catch up; with it they are computed and
    flagged provisional until the State Council's notice is entered (``workdays.notices``) or
    a package brings it (``seed_years``). Hand-entered days are kept.

    Does nothing for a year already covered, except one opened Monday–Friday by an older
    version: its rows become the statutory ones and the open deadlines they move are
    recomputed.
    """
    year = check_year(year)
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    if existing is not None and existing.sources != [Source.WEEKDAY_RULE.value]:
        return existing
    days = sources.statutory(year)
    if days is None:
        raise DomainError(
            gettext("the statutory holidays of %(year)s cannot be computed") % {"year": year},
            field="years",
            code="no_statutory_holidays",
        )
    created, updated, kept = upsert_days(year, days, Source.STATUTORY.value, provisional=True)
    before = None
    if existing is not None:
        before = {"sources": existing.sources, "provisional": existing.provisional}
    year_record, _ = CalendarYear.objects.update_or_create(
        year=year, defaults={"sources": [Source.STATUTORY.value], "provisional": True}
    )
    record(
        actor,
        WorkdayAction.OPEN_YEAR,
        year_record,
        before=before,
        after=seeded(year_record, created, updated, kept),
    )
    if existing is not None and updated:
        days_changed(*year_span(year), actor, "statutory")
    else:
        calendar_changed()
    return year_record
