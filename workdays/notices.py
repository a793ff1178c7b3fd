"""The State Council's yearly holiday notice, entered by an administrator (R24.2).

国务院办公厅关于××年部分节假日安排的通知 comes out in November or December. Until then the year
is covered provisionally from the statutory holidays (``services.open_year``); once it is out,
an administrator enters it — on the calendar page, through the API, or from a small file with
``manage.py seed_calendar --notice FILE`` — as the breaks it sets (放假调休 ranges) and the
make-up working days (调休上班). :func:`enter_notice` checks it against the law, rewrites the
year's days, clears the provisional flag, and lets ``cases`` recompute the open deadlines it
moves, all in one audited transaction.

A notice as data (the API body and the file; dates ISO ``YYYY-MM-DD``)::

    {"year": 2027, "reference": "国办发明电〔2026〕12号",
     "holidays": [{"name": "春节", "start": "2027-02-05", "end": "2027-02-11"}, …],
     "workdays": [{"date": "2027-02-14", "name": "春节调休上班"}, "2027-02-20", …]}

A make-up working day that the notice puts in December of the previous year (the 2019 notice
made Saturday 2018-12-29 one) is a day of that year: an administrator sets it there
(``services.set_day``, the calendar admin).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from audit.services import record
from gridgov.errors import DomainError
from workdays import services, sources
from workdays.actions import WorkdayAction
from workdays.models import CalendarDay, CalendarYear, DayKind, Source

MAX_RANGES = 20  # a notice sets seven breaks; room for the occasional extra one
MAX_WORKDAYS = 20
MAX_NAME = 20
MAX_REFERENCE = 100
REMINDER_FROM = (11, 1)  # from 1 November: next year's notice is due


@dataclass(frozen=True)
class HolidayRange:
    """A break the notice sets (放假调休): every day from ``start`` to ``end`` is off."""

    start: dt.date
    end: dt.date
    name: str

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class MakeupDay:
    """A weekend day the notice makes a working day (调休上班)."""

    date: dt.date
    name: str


@dataclass(frozen=True)
class Notice:
    year: int
    holidays: tuple[HolidayRange, ...]
    workdays: tuple[MakeupDay, ...]
    reference: str = ""

    def as_data(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "reference": self.reference,
            "holidays": [
                {"name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()}
                for r in self.holidays
            ],
            "workdays": [{"date": d.date.isoformat(), "name": d.name} for d in self.workdays],
        }


@dataclass(frozen=True)
class NoticeResult:
    year: CalendarYear
    created: int
    updated: int
    kept_manual: int
    deadlines_moved: int
    changed: bool


# --- reading a notice ----------------------------------------------------------------------


def _error(message: str, field: str, code: str = "invalid") -> DomainError:
    return DomainError(message, field=field, code=code)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = value.strip() if isinstance(value, str) else None
    try:
        if text is None or len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _error(
            gettext("%(value)r is not a date like 2027-02-05") % {"value": value}, field
        ) from None


def _name(value: Any, field: str, limit: int = MAX_NAME) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(gettext("a name must be text"), field)
    name = value.strip()
    if len(name) > limit:
        raise _error(gettext("a name has at most %(n)s characters") % {"n": limit}, field)
    return name


def _list(value: Any, field: str, limit: int) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _error(gettext("%(field)s must be a list") % {"field": field}, field)
    if len(value) > limit:
        raise _error(gettext("at most %(n)s entries") % {"n": limit}, field)
    return list(value)


def parse(data: Any) -> Notice:
    """A notice from its data form (the API body, a file), checked (:func:`check`).

    DomainError naming the field on anything wrong: nothing is stored either way."""
    if not isinstance(data, Mapping):
        raise _error(gettext("a notice is an object with year, holidays and workdays"), "year")
    year = data.get("year")
    if isinstance(year, str) and year.strip().isascii() and year.strip().isdecimal():
        year = int(year.strip())
    if isinstance(year, bool) or not isinstance(year, int):
        raise _error(gettext("year must be a year like 2027"), "year")
    reference = _name(data.get("reference"), "reference", MAX_REFERENCE)
    ranges = []
    for i, item in enumerate(_list(data.get("holidays"), "holidays", MAX_RANGES)):
        field = f"holidays[{i}]"
        if not isinstance(item, Mapping):
            raise _error(gettext("a break is an object with name, start and end"), field)
        start = _date(item.get("start"), field)
        end = _date(item.get("end", item.get("start")), field)
        ranges.append(HolidayRange(start, end, _name(item.get("name"), field)))
    makeups = []
    for i, item in enumerate(_list(data.get("workdays"), "workdays", MAX_WORKDAYS)):
        field = f"workdays[{i}]"
        if isinstance(item, Mapping):
            makeups.append(
                MakeupDay(_date(item.get("date"), field), _name(item.get("name"), field))
            )
        else:
            makeups.append(MakeupDay(_date(item, field), ""))
    return check(Notice(year, tuple(ranges), tuple(makeups), reference))


def check(notice: Notice) -> Notice:
    """Refuse a notice that cannot be right; the notice with default names filled in.

    Its dates lie in its year; a break starts before it ends and overlaps no other; a make-up
    working day is a Saturday or Sunday outside every break, listed once; and it keeps the
    law: every statutory holiday that falls on a weekday lies inside a break (a statutory day
    cannot become a working day), and none is a make-up working day.
    """
    try:
        year = services.check_year(notice.year)
    except DomainError as exc:
        raise _error(exc.message, "year") from None
    law = sources.statutory_days(year)
    if not law:
        raise _error(
            gettext("the statutory holidays of %(year)s cannot be computed") % {"year": year},
            "year",
        )
    first, last = services.year_span(year)

    def in_year(day: dt.date, field: str) -> None:
        if not first <= day <= last:
            raise _error(
                gettext("%(day)s is not in %(year)s") % {"day": day.isoformat(), "year": year},
                field,
                "outside_year",
            )

    ranges: list[HolidayRange] = []
    for i, item in enumerate(notice.holidays):
        field = f"holidays[{i}]"
        in_year(item.start, field)
        in_year(item.end, field)
        if item.end < item.start:
            raise _error(gettext("a break ends before it starts"), field, "reversed")
        festivals = [law[d] for d in item.days() if d in law]
        name = item.name or (festivals[0] if festivals else "")
        if not name:
            raise _error(gettext("name the break (it holds no statutory holiday)"), field)
        ranges.append(HolidayRange(item.start, item.end, name))
    ordered = sorted(enumerate(ranges), key=lambda pair: pair[1].start)
    for (_i, a), (j, b) in itertools.pairwise(ordered):
        if b.start <= a.end:
            raise _error(
                gettext("the breaks %(a)s and %(b)s overlap") % {"a": a.name, "b": b.name},
                f"holidays[{j}]",
                "overlap",
            )
    off = {day for r in ranges for day in r.days()}
    for day, festival in sorted(law.items()):
        if day not in off and not sources.is_weekend(day):
            raise _error(
                gettext("%(day)s is a statutory holiday (%(festival)s): it must lie inside a break")
                % {"day": day.isoformat(), "festival": festival},
                "holidays",
                "statutory_day",
            )
    makeups: list[MakeupDay] = []
    seen: set[dt.date] = set()
    for i, item in enumerate(notice.workdays):
        field = f"workdays[{i}]"
        in_year(item.date, field)
        day = item.date
        refusals = (
            (
                day in law,
                gettext("%(day)s is a statutory holiday (%(festival)s): it cannot be worked"),
                "statutory_day",
            ),
            (day in off, gettext("%(day)s lies inside a break"), "overlap"),
            (
                not sources.is_weekend(day),
                gettext("%(day)s is not a Saturday or Sunday"),
                "not_weekend",
            ),
            (day in seen, gettext("%(day)s is listed twice"), "duplicate"),
        )
        for refused, message, code in refusals:
            if refused:
                values = {"day": day.isoformat(), "festival": law.get(day, "")}
                raise _error(message % values, field, code)
        seen.add(item.date)
        makeups.append(MakeupDay(item.date, item.name or _makeup_name(item.date, ranges)))
    return Notice(
        year, tuple(ranges), tuple(sorted(makeups, key=lambda d: d.date)), notice.reference
    )


def _makeup_name(day: dt.date, ranges: list[HolidayRange]) -> str:
    """A make-up day pays for the nearest break: "春节调休上班"."""
    if not ranges:
        return sources.MAKEUP_SUFFIX
    nearest = min(ranges, key=lambda r: min(abs((day - r.start).days), abs((day - r.end).days)))
    return f"{nearest.name}{sources.MAKEUP_SUFFIX}"


def days_of(notice: Notice) -> sources.YearDays:
    """Every day of the notice's year: breaks off (each day named by its festival, or the
    break's), make-up days worked, weekends off, every other day worked."""
    law = sources.statutory_days(notice.year)
    days = sources.weekday_rule(notice.year)
    for item in notice.holidays:
        for day in item.days():
            days[day] = sources.DayInfo(False, DayKind.HOLIDAY, law.get(day, item.name))
    for item in notice.workdays:
        days[item.date] = sources.DayInfo(True, DayKind.MAKEUP_WORKDAY, item.name)
    return days


def draft(year: int) -> Notice:
    """A starting point for entering a year's notice: its breaks as the calendar has them now
    (runs of days off holding a statutory holiday, e.g. 春节 with its weekend and 补假 days),
    its make-up working days; unchecked (the administrator corrects it to the notice)."""
    rows = list(
        CalendarDay.objects.filter(date__year=year)
        .order_by("date")
        .values_list("date", "is_workday", "kind", "name")
    )
    law = sources.statutory_days(year)
    ranges: list[HolidayRange] = []
    run: list[tuple[dt.date, str, str]] = []
    for date, is_workday, kind, name in [*rows, (None, True, "", "")]:
        if date is not None and not is_workday:
            run.append((date, kind, name))
            continue
        festivals = [law[d] for d, _kind, _name in run if d in law]
        if festivals:  # a break of the law's (an administrator's typhoon day is not one)
            ranges.append(HolidayRange(run[0][0], run[-1][0], festivals[0]))
        run = []
    makeups = tuple(
        MakeupDay(date, name) for date, _w, kind, name in rows if kind == DayKind.MAKEUP_WORKDAY
    )
    return Notice(year, tuple(ranges), makeups)


# --- entering it ---------------------------------------------------------------------------


@transaction.atomic
def enter_notice(actor: Any, notice: Notice) -> NoticeResult:
    """Enter the State Council's notice for its year (R24.2), audited (R28.1).

    The year's days become the notice's (hand-edited days are kept), the year and its days
    stop being provisional, and the open deadlines whose computation counted days of the year
    are recomputed (``workdays.signals.days_changed``, received by ``cases.recompute``: each
    deadline that moves is audited and recorded in its case's archive). Entering the same
    notice again changes and records nothing. Callers authorise: the calendar page and the API
    allow administrators only (``cases.calendar_notice``); commands act as the system.
    """
    notice = check(notice)
    year = notice.year
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    before = (
        {
            "sources": existing.sources,
            "provisional": existing.provisional,
            "notice_reference": existing.notice_reference,
        }
        if existing is not None
        else None
    )
    created, updated, kept = services.upsert_days(year, days_of(notice), Source.NOTICE.value)
    flags_cleared = CalendarDay.objects.filter(date__year=year, provisional=True).update(
        provisional=False
    )
    unchanged = (
        existing is not None
        and not existing.provisional
        and existing.sources == [Source.NOTICE.value]
        and existing.notice_reference == notice.reference
        and not (created or updated or flags_cleared)
    )
    if unchanged:
        return NoticeResult(existing, 0, 0, kept, 0, False)
    user = actor if getattr(actor, "is_authenticated", False) else None
    year_record, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "sources": [Source.NOTICE.value],
            "provisional": False,
            "discrepancies": [],
            "notice_reference": notice.reference,
            "notice_entered_by": user,
            "notice_entered_at": timezone.now(),
        },
    )
    if existing is None:
        services.calendar_changed()  # a new year: no deadline counted it yet
        moved = 0
    else:
        moved = services.days_changed(*services.year_span(year), actor, "notice")
    record(
        actor,
        WorkdayAction.ENTER_NOTICE,
        year_record,
        before=before,
        after={
            **notice.as_data(),
            **services.seeded(year_record, created, updated, kept),
            "deadlines_moved": moved,
        },
    )
    return NoticeResult(year_record, created, updated, kept, moved, True)


# --- the reminder --------------------------------------------------------------------------


def years_awaiting_notice(today: dt.date | None = None) -> list[int]:
    """Years whose State Council notice administrators should enter now (R24.2): this year
    while it is provisional (or not covered); from 1 November also next year, while it is."""
    today = today or timezone.localdate()
    confirmed = set(services.covered_years()) - set(services.provisional_years())
    due = [today.year]
    if (today.month, today.day) >= REMINDER_FROM:
        due.append(today.year + 1)
    return [year for year in due if year not in confirmed]
