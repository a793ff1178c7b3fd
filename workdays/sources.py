"""What the two calendar packages say about a year (R24.2, R24.3).

``holidays`` (package, country CN) and ``chinesecalendar`` (module ``chinese_calendar``) both
encode the State Council's yearly notice (国务院办公厅关于××年部分节假日安排的通知): which days are
off and which weekend days are make-up working days (调休上班). Each function here answers one
year as ``{date: DayInfo}``, or ``None`` when the package has no notice data for that year —
a guess from rules alone (e.g. ``holidays`` for a year whose notice it does not carry yet)
would miss the make-up days, so it is never used.

How ``holidays`` exposes make-up working days: China declares only the ``public`` and
``half_day`` categories (there is no ``workday`` category for CN). The notice's swaps live in
``ChinaStaticHolidays.special_public_holidays`` as ``(to_month, to_day, from_month, from_day
[, from_year])``: the day ``to`` is off, and the weekend day ``from`` is worked instead. When a
calendar object is built, those weekend days go into ``weekend_workdays`` and
``is_working_day(date)`` answers for any date. A swap may reach into the previous year (the
2006 notice made Saturday 2005-12-31 a working day), so a year is always built together with
its neighbours.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from workdays.models import DayKind

SUBSTITUTED_PREFIX = "休息日"  # holidays' zh_CN label of a swapped day off: 休息日（由 … 调休）
OBSERVED_SUFFIX = "（补假）"
# Days that belong to the Spring Festival break under another label.
FESTIVAL_ALIASES = {"农历除夕": "春节", "春节延长假期": "春节"}
# chinesecalendar's short Chinese names → the names the holidays package (and notices) use.
CHINESECALENDAR_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
MAKEUP_SUFFIX = "调休上班"


@dataclass(frozen=True)
class DayInfo:
    is_workday: bool
    kind: str
    name: str = ""


YearDays = dict[dt.date, DayInfo]


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    count = (dt.date(year + 1, 1, 1) - first).days
    return [first + dt.timedelta(days=i) for i in range(count)]


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def weekday_rule(year: int) -> YearDays:
    """Monday–Friday working, Saturday/Sunday off. Only the base of :func:`statutory` and of a
    notice (a year is never covered by this alone: it would count 元旦 and 春节 as working
    days, R24.2)."""
    return {
        day: DayInfo(False, DayKind.WEEKEND) if is_weekend(day) else DayInfo(True, DayKind.WORKDAY)
        for day in days_of(year)
    }


# --- the law's holidays, for a year without the State Council's notice ----------------------
#
# 全国年节及纪念日放假办法 (revised 2024, in force from 2025) fixes the days off for all citizens:
# 元旦 1 day, 春节 4 (除夕 and the first three days), 清明节 1, 劳动节 2 (1–2 May), 端午节 1,
# 中秋节 1, 国庆节 3 (1–3 October): 13 days; its article 6 gives a day off on the next working
# day (补假) for one that falls on a Saturday or Sunday. The ``holidays`` package computes both
# for any year (earlier revisions for earlier years: 11 days from 2014, 7 in 1949's rules): the
# law's days with ``observed=False``, the 补假 days with its default observed rule. What only the
# yearly notice sets are the make-up working days (调休上班) and bridging days off, so a year
# opened from the law alone is *provisional* until the notice is entered.


def _law_calendar(year: int, *, observed: bool) -> dict[dt.date, list[str]]:
    import holidays

    calendar = holidays.country_holidays("CN", years=year, language="zh_CN", observed=observed)
    return {day: calendar.get_list(day) for day in sorted(calendar) if day.year == year}


def statutory_days(year: int) -> dict[dt.date, str]:
    """The law's own days off of a year (no 补假), date → festival ("农历除夕" is named 春节).

    Empty when the package cannot compute the lunar festivals of the year (after 2100)."""
    days = {
        day: FESTIVAL_ALIASES.get(labels[0], labels[0])
        for day, labels in _law_calendar(year, observed=False).items()
        if labels and not labels[0].startswith(SUBSTITUTED_PREFIX)
    }
    return days if "春节" in days.values() else {}


def statutory(year: int) -> YearDays | None:
    """A provisional year: weekends, the law's holidays and its 补假 days, no make-up working
    days; ``None`` when the package cannot compute the year's lunar festivals."""
    if not statutory_days(year):
        return None
    out = weekday_rule(year)
    for day, labels in _law_calendar(year, observed=True).items():
        names = [label for label in labels if not label.startswith(SUBSTITUTED_PREFIX)]
        if names:
            out[day] = DayInfo(False, DayKind.HOLIDAY, names[0])
    return out


# --- holidays ------------------------------------------------------------------------------


def _holidays_swaps() -> dict[int, tuple]:
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # pragma: no cover - the package is a dependency
        return {}
    return dict(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


def holidays_years() -> set[int]:
    """Years whose State Council notice the installed ``holidays`` package carries."""
    return set(_holidays_swaps())


def _makeup_targets(year: int) -> dict[dt.date, dt.date]:
    """Make-up working day → the day off it pays for, from the notices of year-1 … year+1."""
    targets: dict[dt.date, dt.date] = {}
    for notice_year, rows in _holidays_swaps().items():
        if abs(notice_year - year) > 1:
            continue
        rows = rows if rows and isinstance(rows[0], tuple) else (rows,)
        for row in rows:
            if len(row) < 4:  # a special holiday, not a swap
                continue
            to_month, to_day, from_month, from_day, *from_year = row
            from_date = dt.date(from_year[0] if from_year else notice_year, from_month, from_day)
            targets[from_date] = dt.date(notice_year, to_month, to_day)
    return targets


def _festival(label: str) -> str:
    """The festival a holidays label names ('' for a swapped day off)."""
    if label.startswith(SUBSTITUTED_PREFIX):
        return ""
    return label.removesuffix(OBSERVED_SUFFIX)


def from_holidays(year: int) -> YearDays | None:
    """The year as the ``holidays`` package has it, or ``None`` without notice data."""
    if year not in holidays_years():
        return None
    import holidays

    calendar = holidays.country_holidays("CN", years=[year - 1, year, year + 1], language="zh_CN")
    span = days_of(year - 1) + days_of(year) + days_of(year + 1)
    working = {day: calendar.is_working_day(day) for day in span}
    labels = {day: calendar.get_list(day) for day in span}

    # A break is a run of days off; each day of a festival's break carries its name, as the
    # notice says ("10月1日至8日放假调休，共8天").
    break_name: dict[dt.date, str] = {}
    run: list[dt.date] = []
    for day in [*span, None]:
        if day is not None and not working[day]:
            run.append(day)
            continue
        if run:
            festivals = Counter(
                FESTIVAL_ALIASES.get(f, f)
                for d in run
                for label in labels[d]
                if (f := _festival(label))
            )
            name = festivals.most_common(1)[0][0] if festivals else ""
            for d in run:
                break_name[d] = name
            run = []

    makeup_for = _makeup_targets(year)
    out: YearDays = {}
    for day in days_of(year):
        if working[day]:
            if is_weekend(day):
                paid = break_name.get(makeup_for.get(day, day), "")
                out[day] = DayInfo(True, DayKind.MAKEUP_WORKDAY, f"{paid}{MAKEUP_SUFFIX}")
            else:
                out[day] = DayInfo(True, DayKind.WORKDAY)
            continue
        own = next((label for label in labels[day] if _festival(label)), "")
        name = own or break_name[day]
        if name or not is_weekend(day):
            out[day] = DayInfo(False, DayKind.HOLIDAY, name)
        else:
            out[day] = DayInfo(False, DayKind.WEEKEND)
    return out


# --- chinesecalendar -----------------------------------------------------------------------


def chinesecalendar_years() -> set[int]:
    """Years the installed ``chinesecalendar`` covers (it raises NotImplementedError outside)."""
    try:
        from chinese_calendar.constants import holidays as off_days
    except ImportError:  # pragma: no cover - the package is a dependency
        return set()
    if not off_days:
        return set()
    return set(range(min(off_days).year, max(off_days).year + 1))


def _chinese_name(english: str | None) -> str:
    if not english:
        return ""
    from chinese_calendar.constants import Holiday

    try:
        chinese = Holiday(english).chinese
    except ValueError:
        return english
    return CHINESECALENDAR_NAMES.get(chinese, chinese)


def from_chinesecalendar(year: int) -> YearDays | None:
    """The year as ``chinesecalendar`` has it, or ``None`` when it does not cover the year."""
    if year not in chinesecalendar_years():
        return None
    import chinese_calendar

    out: YearDays = {}
    for day in days_of(year):
        try:
            # One call gives both answers: (is a day off, name); is_workday() is its negation
            # and would validate the date a second time (the package's slow part).
            day_off, english = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return None
        working = not day_off
        name = _chinese_name(english)
        if working:
            if is_weekend(day):
                out[day] = DayInfo(True, DayKind.MAKEUP_WORKDAY, f"{name}{MAKEUP_SUFFIX}")
            else:
                out[day] = DayInfo(True, DayKind.WORKDAY)
        elif name or not is_weekend(day):
            out[day] = DayInfo(False, DayKind.HOLIDAY, name)
        else:
            out[day] = DayInfo(False, DayKind.WEEKEND)
    return out
