"""Deadline arithmetic for dispatch (R24.2) and handling (R24.3) limits, and the share of the
limit used for amber/red warnings (R27.1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from workdays import services
from workdays.services import CalendarNotCovered

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 3, 7), 1, D(2025, 3, 10)),  # Friday + 1 → Monday
        (D(2025, 3, 8), 1, D(2025, 3, 10)),  # Saturday + 1 → Monday
        (D(2025, 3, 10), 0, D(2025, 3, 10)),
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Friday + 1 → make-up Sunday
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # across the Spring Festival break
        (D(2025, 1, 26), 5, D(2025, 2, 8)),  # … ending on the make-up Saturday
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # across National Day
        (D(2025, 10, 10), 1, D(2025, 10, 11)),  # make-up Saturday
        (D(2024, 12, 27), 3, D(2025, 1, 2)),  # across New Year, into the next covered year
        (D(2024, 2, 2), 1, D(2024, 2, 4)),  # Friday + 1 → make-up Sunday 2024-02-04
    ],
)
def test_r24_add_workdays(calendar, start, n, expected):
    """R24.2/R24.3: the start day is not counted; holidays skipped, make-up days counted."""
    assert services.add_workdays(start, n) == expected


def test_r24_uncovered_year_is_an_error_naming_the_year(calendar):
    """R24.3: a limit running into a year the calendar lacks is refused, never guessed."""
    with pytest.raises(CalendarNotCovered) as info:
        services.add_workdays(D(2025, 12, 20), 30)
    assert info.value.year == 2026
    assert info.value.code == "calendar_not_covered"
    assert "2026" in str(info.value)
    with pytest.raises(CalendarNotCovered) as info:
        services.add_workdays(D(2023, 12, 29), 1)
    assert info.value.year == 2023
    with pytest.raises(CalendarNotCovered):
        services.is_workday(D(2026, 1, 5))
    with pytest.raises(CalendarNotCovered) as info:
        services.deadline(at(2025, 12, 30, 9, 0), 16, "workhours")
    assert (info.value.year, info.value.field) == (2026, "amount")
    with pytest.raises(CalendarNotCovered) as info:
        services.deadline(at(2025, 12, 30, 9, 0), 5, "workdays")
    assert (info.value.year, info.value.field) == (2026, "amount")
    with pytest.raises(CalendarNotCovered) as info:
        services.deadline(at(2026, 1, 5, 9, 0), 5, "workdays")
    assert (info.value.year, info.value.field) == (2026, "start")
    with pytest.raises(CalendarNotCovered):
        services.working_seconds_between(at(2025, 12, 30, 9), at(2026, 1, 5, 9))


def test_r24_gap_year_between_covered_years_is_an_error(db):
    services.seed_years([2024], "test")
    services.open_year("test", 2026)
    with pytest.raises(CalendarNotCovered) as info:
        services.add_workdays(D(2024, 12, 20), 30)
    assert info.value.year == 2025


def test_r24_empty_calendar_is_an_error(db):
    with pytest.raises(CalendarNotCovered) as info:
        services.add_workdays(D(2025, 3, 3), 1)
    assert info.value.year == 2025


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (at(2025, 3, 3, 11, 0), 2, at(2025, 3, 3, 15, 30)),  # across the lunch break
        (at(2025, 3, 3, 8, 30), 3.5, at(2025, 3, 3, 12, 0)),  # used up at a period's end
        (at(2025, 3, 3, 7, 0), 1, at(2025, 3, 3, 9, 30)),  # before hours: from 08:30
        (at(2025, 3, 3, 12, 30), 1, at(2025, 3, 3, 15, 30)),  # in the lunch break
        (at(2025, 3, 7, 16, 30), 2, at(2025, 3, 10, 9, 30)),  # across a weekend
        (at(2025, 3, 8, 10, 0), 1, at(2025, 3, 10, 9, 30)),  # from a Saturday
        (at(2025, 3, 7, 8, 30), 6.5, at(2025, 3, 7, 17, 30)),  # a whole day, same day's end
        (at(2025, 3, 7, 8, 30), 13, at(2025, 3, 10, 17, 30)),  # two whole days
        (at(2025, 1, 24, 16, 0), 10, at(2025, 1, 27, 10, 30)),  # make-up Sunday counts
        (at(2025, 1, 27, 17, 0), 1, at(2025, 2, 5, 9, 0)),  # Spring Festival skipped
        (at(2025, 3, 3, 10, 0), 0, at(2025, 3, 3, 10, 0)),
    ],
)
def test_r24_add_working_hours(calendar, start, hours, expected):
    """R24.2: hour limits run only in working hours (08:30–12:00, 14:30–17:30) of workdays."""
    assert services.add_working_hours(start, hours) == expected


def test_r24_naive_and_utc_datetimes_are_local_time(calendar):
    utc = dt.datetime(2025, 3, 3, 3, 0, tzinfo=dt.UTC)  # 11:00 in Shanghai
    assert services.add_working_hours(utc, 2) == at(2025, 3, 3, 15, 30)
    assert services.add_working_hours(dt.datetime(2025, 3, 3, 11, 0), 2) == at(2025, 3, 3, 15, 30)


def test_r24_deadline_in_workdays_ends_at_close_of_business(calendar):
    """R24.3: N working days end at 17:30 of the N-th working day after the start date,
    wherever in the start day the case arrived."""
    for start in (at(2025, 3, 3, 0, 5), at(2025, 3, 3, 9, 0), at(2025, 3, 3, 23, 0)):
        assert services.deadline(start, 1, "workdays") == at(2025, 3, 4, 17, 30)
    assert services.deadline(at(2025, 9, 30, 10, 0), 2, "workdays") == at(2025, 10, 10, 17, 30)
    assert services.deadline(at(2025, 3, 8, 10, 0), 1, "workdays") == at(2025, 3, 10, 17, 30)
    assert services.deadline(at(2025, 3, 3, 9, 0), 2.0, "workdays") == at(2025, 3, 5, 17, 30)


def test_r24_deadline_in_workhours(calendar):
    assert services.deadline(at(2025, 3, 7, 16, 30), 2, "workhours") == at(2025, 3, 10, 9, 30)


@pytest.mark.parametrize(
    ("amount", "unit", "field"),
    [
        (0, "workdays", "amount"),
        (1.5, "workdays", "amount"),
        (-1, "workdays", "amount"),
        (0, "workhours", "amount"),
        (-2, "workhours", "amount"),
        (float("nan"), "workhours", "amount"),
        (1, "weeks", "unit"),
    ],
)
def test_r24_deadline_refuses_bad_limits(calendar, amount, unit, field):
    with pytest.raises(services.DomainError) as info:
        services.deadline(at(2025, 3, 3, 9, 0), amount, unit)
    assert info.value.field == field


def test_r24_add_workdays_refuses_bad_input(calendar):
    with pytest.raises(services.DomainError):
        services.add_workdays(D(2025, 3, 3), -1)
    with pytest.raises(services.DomainError):
        services.add_workdays(D(2025, 3, 3), 1.5)
    with pytest.raises(services.DomainError):
        services.add_workdays(at(2025, 3, 3, 9), 1)


def test_r27_working_seconds_between(calendar):
    assert services.working_seconds_between(at(2025, 3, 3, 11), at(2025, 3, 3, 15)) == 5400
    # Friday 16:30 → Monday 09:30: 1 h Friday + 1 h Monday.
    assert services.working_seconds_between(at(2025, 3, 7, 16, 30), at(2025, 3, 10, 9, 30)) == 7200
    # A whole week, Monday 00:00 → next Monday 00:00: five days of 6.5 h.
    week = services.working_seconds_between(at(2025, 3, 3), at(2025, 3, 10))
    assert week == 5 * 6.5 * 3600
    # The Spring Festival break is not working time.
    assert services.working_seconds_between(at(2025, 1, 28), at(2025, 2, 5)) == 0
    assert services.working_seconds_between(at(2025, 3, 10), at(2025, 3, 3)) == 0


def test_r27_elapsed_share(calendar):
    """R27.1: amber at a configured share of the working time, red (1.0) from the deadline."""
    start = at(2025, 3, 7, 16, 30)
    due = services.deadline(start, 2, "workhours")  # Monday 09:30
    share = services.elapsed_share
    assert share(start, due, at(2025, 3, 7, 12, 0)) == 0.0
    assert share(start, due, at(2025, 3, 8, 12, 0)) == 0.5  # the weekend does not count
    assert share(start, due, at(2025, 3, 10, 9, 0)) == 0.75
    assert share(start, due, due) == 1.0
    assert share(start, due, at(2025, 3, 12, 9, 0)) == 1.0


def test_r24_working_hours_come_from_settings(calendar, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "WORKDAY_HOURS": "09:00-17:00"}
    assert services.add_working_hours(at(2025, 3, 7, 16, 0), 2) == at(2025, 3, 10, 10, 0)
    assert services.deadline(at(2025, 3, 3, 9), 1, "workdays") == at(2025, 3, 4, 17, 0)


@pytest.mark.parametrize("spec", ["08:30-12:00,11:00-17:00", "12:00-08:30", "8.30-12", "", "08:30"])
def test_bad_working_hours_setting_is_refused(calendar, settings, spec):
    from django.core.exceptions import ImproperlyConfigured

    settings.GRIDGOV = {**settings.GRIDGOV, "WORKDAY_HOURS": spec}
    with pytest.raises(ImproperlyConfigured):
        services.add_working_hours(at(2025, 3, 7, 16, 0), 2)
