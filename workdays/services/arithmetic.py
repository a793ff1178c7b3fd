"""Working-day arithmetic for time limits (R24.2, R24.3, R27.1).

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
import math

from django.utils import timezone
from django.utils.translation import gettext

from gridgov.errors import DomainError
from workdays import snapshot as calendar_snapshot
from workdays.services.common import CalendarNotCovered, Unit, check_date
from workdays.services.hours import working_hours


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
    day = check_date(day, "date")
    cal = calendar_snapshot.get()
    _require(cal, day.year, day.year, "date")
    return cal.is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``; ``start`` itself is not counted (R24.2, R24.3)."""
    start = check_date(start, "from")
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
