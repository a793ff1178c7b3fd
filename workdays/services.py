"""Working-day arithmetic and calendar maintenance for time limits (R24.2, R24.3, R27.1).

The agency dispatches a matter within the set time (R24.2) and the department handles it within
the time limit of the county's admission list (R24.3); both count Chinese working days, and
late units are warned (R27.1). Everything here answers from the calendar tables only: a
computation that needs a date in a year without a :class:`~workdays.models.CalendarYear`
record raises :class:`CalendarNotCovered` naming that year instead of guessing.

Counting rules (the same as for statutory periods in Chinese law, e.g. 民事诉讼法 第八十五条 /
行政许可法 第八十二条: the day on which a period starts is not counted):

- ``add_workdays(d, n)``: the n-th working day *after* ``d``; ``d`` itself never counts, whether
  or not it is a working day (Friday + 1 → Monday; Saturday + 1 → Monday). ``n = 0`` gives ``d``.
- ``deadline(start, n, "workdays")``: the *end of working hours* (the end of the last working
  period, 17:30 by default) of ``add_workdays(start's local date, n)``. Where in the start day
  the case arrived — inside, before or after working hours, or on a day off — does not matter:
  the start day is never counted, so a case filed Monday 08:00 or Monday 23:00 with one working
  day is due Tuesday 17:30.
- ``deadline(start, h, "workhours")`` = ``add_working_hours(start, h)``: the instant at which
  ``h`` hours of working time have passed since ``start``. Working time runs only inside the
  working periods (``GRIDGOV["WORKDAY_HOURS"]``) of working days; a start outside them begins
  counting at the next period's start. A limit that is used up exactly at a period's end falls
  at that end (12:00), not at the next period's start.
- ``elapsed_share(start, deadline, now)``: working time used / working time allowed, capped at
  1.0; it is 1.0 exactly when ``now`` has reached the deadline (overdue, "red").

Naive datetimes are read as local time (``TIME_ZONE``, Asia/Shanghai); results are aware, in
local time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import record, snapshot
from gridgov import rows
from gridgov.errors import DomainError
from workdays import signals, sources
from workdays import snapshot as calendar_snapshot
from workdays.actions import WorkdayAction
from workdays.models import (
    RESTING_KINDS,
    WORKING_KINDS,
    CalendarDay,
    CalendarYear,
    DayKind,
    Source,
)

MAX_ADD_WORKDAYS = 3650
FIRST_DEFAULT_YEAR = 2015  # deadlines of cases imported from older systems; older on request
YEAR_RANGE = (1950, 2200)
DAY_FIELDS = (
    "date",
    "is_workday",
    "kind",
    "name",
    "source",
    "provisional",
    "edited_by",
    "edited_at",
)

Unit = Literal["workdays", "workhours"]


class CalendarNotCovered(DomainError):
    """A computation needed a date in a year the working-day calendar does not cover."""

    def __init__(self, year: int, *, field: str | None = None) -> None:
        super().__init__(
            gettext(
                "the working-day calendar does not cover %(year)s: seed it (manage.py "
                "seed_calendar), open it from the statutory holidays (seed_calendar "
                "--open-year %(year)s) or enter the State Council's notice for %(year)s"
            )
            % {"year": year},
            code="calendar_not_covered",
            field=field,
            extra={"year": year},
        )
        self.year = year


# --- working hours -------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """Working periods of a working day as seconds after local midnight."""

    periods: tuple[tuple[int, int], ...]

    @property
    def day_seconds(self) -> int:
        return sum(end - start for start, end in self.periods)

    @property
    def day_end(self) -> int:
        return self.periods[-1][1]

    def worked_before(self, second: float) -> float:
        """Working seconds of a working day before the given time of day."""
        return sum(min(max(second - start, 0), end - start) for start, end in self.periods)

    def time_when_worked(self, worked: float) -> float:
        """Earliest time of day by which ``worked`` seconds (0 < worked ≤ day) have passed."""
        for start, end in self.periods:
            length = end - start
            if worked <= length:
                return start + worked
            worked -= length
        return self.day_end


@lru_cache(maxsize=8)
def _parse_hours(spec: str | tuple) -> WorkingHours:
    if isinstance(spec, str):
        pairs = [part.split("-") for part in spec.split(",") if part.strip()]
    else:
        pairs = [list(pair) for pair in spec]
    periods: list[tuple[int, int]] = []
    for pair in pairs:
        if len(pair) != 2:
            raise ImproperlyConfigured(f"WORKDAY_HOURS: {spec!r} is not like 08:30-12:00,…")
        try:
            start, end = (dt.time.fromisoformat(str(p).strip()) for p in pair)
        except ValueError as exc:
            raise ImproperlyConfigured(f"WORKDAY_HOURS: {spec!r}: {exc}") from exc
        periods.append((start.hour * 3600 + start.minute * 60, end.hour * 3600 + end.minute * 60))
    if not periods:
        raise ImproperlyConfigured("WORKDAY_HOURS names no working period")
    for (_start1, end1), (start2, _end2) in itertools.pairwise(periods):
        if end1 > start2:
            raise ImproperlyConfigured(f"WORKDAY_HOURS: {spec!r}: periods overlap or are unsorted")
    if any(start >= end for start, end in periods):
        raise ImproperlyConfigured(f"WORKDAY_HOURS: a period of {spec!r} ends before it starts")
    return WorkingHours(tuple(periods))


def working_hours() -> WorkingHours:
    """``GRIDGOV["WORKDAY_HOURS"]``: "08:30-12:00,14:30-17:30" or [("08:30", "12:00"), …]."""
    spec = settings.GRIDGOV.get("WORKDAY_HOURS", "08:30-12:00,14:30-17:30")
    if isinstance(spec, list):
        spec = tuple(tuple(pair) for pair in spec)
    return _parse_hours(spec)


# --- helpers -------------------------------------------------------------------------------


def _local(moment: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        raise DomainError(
            gettext("%(field)s must be a date and time") % {"field": field}, field=field
        )
    tz = timezone.get_default_timezone()
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _seconds_of_day(moment: dt.datetime) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


def _at(day: dt.date, second: float) -> dt.datetime:
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=second)
    return naive.replace(tzinfo=timezone.get_default_timezone())


def _require(cal: calendar_snapshot.Snapshot, first: int, last: int, field: str | None) -> None:
    missing = cal.first_uncovered(first, last)
    if missing is not None:
        raise CalendarNotCovered(missing, field=field)


def _check_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError(gettext("%(field)s must be a date") % {"field": field}, field=field)
    return value


# --- reading the calendar ------------------------------------------------------------------


def covered_years() -> list[int]:
    return sorted(calendar_snapshot.get().covered_years)


def provisional_years() -> list[int]:
    """Covered years without the State Council's notice: statutory holidays only (R24.2)."""
    return sorted(calendar_snapshot.get().provisional_years)


def is_provisional_between(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> bool:
    """Does a computation from ``start`` to ``end`` count days of a provisional year (R24.2)?

    Datetimes are taken in local time, as the deadline arithmetic takes them."""
    first = _local(start, "start").date() if isinstance(start, dt.datetime) else start
    last = _local(end, "end").date() if isinstance(end, dt.datetime) else end
    first, last = min(first, last), max(first, last)
    return calendar_snapshot.get().is_provisional_between(first.year, last.year)


def is_workday(day: dt.date) -> bool:
    """Is ``day`` a working day (a make-up 调休 weekend day is; a statutory holiday is not)?"""
    day = _check_date(day, "date")
    cal = calendar_snapshot.get()
    _require(cal, day.year, day.year, "date")
    return cal.is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``; ``start`` itself is not counted (R24.2, R24.3)."""
    start = _check_date(start, "from")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise DomainError(
            gettext("the number of working days must be a whole number ≥ 0"), field="add"
        )
    cal = calendar_snapshot.get()
    _require(cal, start.year, start.year, "from")
    if n == 0:
        return start
    target = cal.nth_workday_after(start, n)
    if target is None:
        raise CalendarNotCovered(cal.first_uncovered_from(start.year), field="add")
    _require(cal, start.year, target.year, "add")
    return target


def working_seconds_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working time from ``start`` to ``end`` in seconds; 0 when ``end`` is not after ``start``."""
    start, end = _local(start, "start"), _local(end, "end")
    if end <= start:
        return 0.0
    cal = calendar_snapshot.get()
    _require(cal, start.year, end.year, None)
    hours = working_hours()
    first_day, last_day = start.date(), end.date()
    if first_day == last_day:
        if not cal.is_workday(first_day):
            return 0.0
        return hours.worked_before(_seconds_of_day(end)) - hours.worked_before(
            _seconds_of_day(start)
        )
    total = 0.0
    if cal.is_workday(first_day):
        total += hours.day_seconds - hours.worked_before(_seconds_of_day(start))
    total += hours.day_seconds * cal.workdays_strictly_between(first_day, last_day)
    if cal.is_workday(last_day):
        total += hours.worked_before(_seconds_of_day(end))
    return total


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` of working time after ``start`` (R24.2, R24.3 hour limits)."""
    start = _local(start, "start")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        raise DomainError(gettext("the number of working hours must be a number"), field="amount")
    if hours < 0:
        raise DomainError(gettext("the number of working hours must be ≥ 0"), field="amount")
    cal = calendar_snapshot.get()
    _require(cal, start.year, start.year, "start")
    remaining = round(hours * 3600, 6)
    if remaining == 0:
        return start
    periods = working_hours()
    day = start.date()
    if cal.is_workday(day):
        worked = periods.worked_before(_seconds_of_day(start))
        left_today = periods.day_seconds - worked
        if remaining <= left_today:
            return _at(day, periods.time_when_worked(worked + remaining))
        remaining -= left_today
    # Whole working days first; the last day takes the rest, 0 < rest ≤ one day.
    days_needed = math.ceil(remaining / periods.day_seconds)
    rest = remaining - (days_needed - 1) * periods.day_seconds
    target = cal.nth_workday_after(day, days_needed)
    if target is None:
        raise CalendarNotCovered(cal.first_uncovered_from(day.year), field="amount")
    _require(cal, day.year, target.year, "amount")
    return _at(target, periods.time_when_worked(rest))


def deadline(start: dt.datetime, amount: int | float, unit: Unit) -> dt.datetime:
    """When a time limit of ``amount`` working days or hours that starts at ``start`` ends.

    R24.2 (dispatch within the set time) and R24.3 (handling within the admission list's limit).
    ``workdays``: end of working hours of the amount-th working day after the start's date
    (the start day is never counted). ``workhours``: ``add_working_hours``. See the module
    docstring for the full rules.
    """
    start = _local(start, "start")
    if unit == "workdays":
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise DomainError(
                gettext("a limit in working days must be a whole number ≥ 1"), field="amount"
            )
        try:
            day = add_workdays(start.date(), amount)
        except CalendarNotCovered as exc:
            field = "start" if exc.year == start.year else "amount"
            raise CalendarNotCovered(exc.year, field=field) from None
        return _at(day, working_hours().day_end)
    if unit == "workhours":
        if isinstance(amount, bool) or not isinstance(amount, int | float) or not amount > 0:
            raise DomainError(gettext("a limit in working hours must be > 0"), field="amount")
        return add_working_hours(start, amount)
    raise DomainError(
        gettext("unit must be workdays or workhours, not %(unit)r") % {"unit": unit}, field="unit"
    )


def elapsed_share(start: dt.datetime, deadline: dt.datetime, now: dt.datetime) -> float:
    """Share of the working time between ``start`` and ``deadline`` used by ``now`` (R27.1).

    0.0 at (or before) the start, 1.0 from the deadline on; cases turn amber when it reaches the
    configured share and red at 1.0 (overdue). How late an overdue case is, is a separate
    question: ``working_seconds_between(deadline, now)``.
    """
    start, deadline, now = _local(start, "start"), _local(deadline, "deadline"), _local(now, "now")
    if now >= deadline:
        return 1.0
    if now <= start:
        return 0.0
    allowed = working_seconds_between(start, deadline)
    if allowed <= 0:
        return 0.0
    return min(1.0, working_seconds_between(start, now) / allowed)


def add_working_fraction(start: dt.datetime, deadline: dt.datetime, share: float) -> dt.datetime:
    """The first moment at which ``share`` of the working time from ``start`` to ``deadline``
    is used: the earliest ``now`` with ``elapsed_share(start, deadline, now) >= share`` (R27.1:
    when a case turns amber, so a background check can be scheduled for it).

    Rounded up to a whole second, so the moment returned already counts as reached; never
    after ``deadline``. ``share`` 0 gives ``start``, 1 gives ``deadline``.
    """
    start, deadline = _local(start, "start"), _local(deadline, "deadline")
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
        raise DomainError(
            gettext("the share of the time limit must be between 0 and 1"), field="share"
        )
    if share == 0 or deadline <= start:
        return min(start, deadline)
    allowed = working_seconds_between(start, deadline)
    if share == 1 or allowed <= 0:
        return deadline
    moment = add_working_hours(start, share * allowed / 3600)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(seconds=1)
    # Float rounding may leave the share a hair short; a few seconds more always reach it.
    # (The same test as elapsed_share, with the allowed time already in hand.)
    for _ in range(3):
        if moment >= deadline or working_seconds_between(start, moment) / allowed >= share:
            break
        moment += dt.timedelta(seconds=1)
    return min(moment, deadline)


# --- seeding -------------------------------------------------------------------------------


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


def calendar_changed() -> None:
    """Tell every process that the calendar's days changed (its cached snapshot)."""
    # Now, so that later reads in this transaction (and tests, whose transactions never
    # commit) see the change; and again on commit, so that a process that rebuilt from the
    # not-yet-committed state in between is told again.
    calendar_snapshot.invalidate()
    transaction.on_commit(calendar_snapshot.invalidate)


def days_changed(first: dt.date, last: dt.date, actor: Any, reason: str) -> int:
    """Days that deadlines may already have counted changed: refresh the calendar, then let
    the apps above recompute the open deadlines the change moves (R24.2, R24.3). The number
    of deadlines moved."""
    calendar_changed()
    return signals.announce(first, last, actor, reason)


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def check_year(year: Any) -> int:
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
def seed_years(years: Iterable[int], actor: Any) -> list[YearReport]:
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
def open_year(actor: Any, year: int) -> CalendarYear:
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


# --- administrator edits -------------------------------------------------------------------


def _default_kind(day: dt.date, is_workday: bool, name: str) -> str:
    weekend = sources.is_weekend(day)
    if is_workday:
        return DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
    return DayKind.WEEKEND if weekend and not name else DayKind.HOLIDAY


def _check_kind(day: dt.date, is_workday: bool, kind: str) -> None:
    if kind not in DayKind.values:
        raise DomainError(
            gettext("kind must be one of %(kinds)s") % {"kinds": ", ".join(DayKind.values)},
            field="kind",
        )
    if is_workday and kind not in WORKING_KINDS:
        raise DomainError(
            gettext("a working day cannot be of kind %(kind)s") % {"kind": DayKind(kind).label},
            field="kind",
        )
    if not is_workday and kind not in RESTING_KINDS:
        raise DomainError(
            gettext("a day off cannot be of kind %(kind)s") % {"kind": DayKind(kind).label},
            field="kind",
        )
    weekend = sources.is_weekend(day)
    if kind in (DayKind.MAKEUP_WORKDAY, DayKind.WEEKEND) and not weekend:
        raise DomainError(
            gettext("%(day)s is not a Saturday or Sunday") % {"day": day.isoformat()},
            field="kind",
        )
    if kind == DayKind.WORKDAY and weekend:
        raise DomainError(
            gettext("%(day)s is a weekend day: a working weekend day is a make-up workday")
            % {"day": day.isoformat()},
            field="kind",
        )


def check_day_edit(
    day: dt.date, is_workday: bool, name: str = "", kind: str | None = None
) -> tuple[str, str]:
    """Refuse an inconsistent edit (DomainError naming the field); the cleaned (name, kind)."""
    if not isinstance(is_workday, bool):
        raise DomainError(gettext("is_workday must be true or false"), field="is_workday")
    name = (name or "").strip()
    if len(name) > CalendarDay._meta.get_field("name").max_length:
        raise DomainError(gettext("name is too long (at most 100 characters)"), field="name")
    kind = str(kind) if kind else _default_kind(day, is_workday, name)
    _check_kind(day, is_workday, kind)
    if not CalendarYear.objects.filter(year=day.year).exists():
        raise CalendarNotCovered(day.year, field="date")
    return name, kind


@transaction.atomic
def set_day(
    actor: Any, date: dt.date, is_workday: bool, name: str = "", kind: str | None = None
) -> CalendarDay:
    """An administrator's correction of one day (R24.2, R24.3), audited (R28.1).

    ``kind`` defaults from the flag and the weekday (a working Saturday is a make-up workday).
    The day becomes ``manual`` and re-seeding never overwrites it. Only days of covered years
    can be edited (open a year first). Repeating the same edit changes nothing.
    """
    day = _check_date(date, "date")
    name, kind = check_day_edit(day, is_workday, name, kind)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:  # cannot happen for a seeded year; keep the year complete anyway
        row = CalendarDay(date=day, is_workday=is_workday, kind=kind, name=name)
    elif row.source == Source.MANUAL and (row.is_workday, row.kind, row.name) == (
        is_workday,
        kind,
        name,
    ):
        return row
    before = snapshot(row, DAY_FIELDS) if row.pk else None
    row.is_workday, row.kind, row.name = is_workday, kind, name
    row.source = Source.MANUAL
    row.provisional = False  # an administrator's decision on that day
    row.edited_by = actor if getattr(actor, "is_authenticated", False) else None
    row.edited_at = timezone.now()
    row.save()
    record(actor, WorkdayAction.SET_DAY, row, before=before, after=snapshot(row, DAY_FIELDS))
    days_changed(day, day, actor, "set_day")
    return row
