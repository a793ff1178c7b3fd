"""The moment a share of a time limit is used (R27.1 amber), for scheduling deadline checks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from workdays import services

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECOND = dt.timedelta(seconds=1)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_r27_amber_moment_of_a_three_day_limit(calendar):
    """Monday 09:00 + 3 working days → Thursday 17:30 (25.5 working hours); 80 % of that is
    20.4 h: 6 h Monday, 6.5 h Tuesday and Wednesday, 1.4 h Thursday → Thursday 09:54."""
    start = at(2025, 3, 3, 9, 0)
    due = services.deadline(start, 3, "workdays")
    assert due == at(2025, 3, 6, 17, 30)
    amber = services.add_working_fraction(start, due, 0.8)
    assert amber == at(2025, 3, 6, 9, 54)
    assert services.elapsed_share(start, due, amber) >= 0.8
    assert services.elapsed_share(start, due, amber - SECOND) < 0.8


def test_r27_amber_moment_skips_holidays_and_stops_at_a_period_end(calendar):
    """Across the Spring Festival break: half of 18 working hours is 5 h on 27 January and
    4 h on 5 February (3.5 h in the morning, 0.5 h after 14:30)."""
    start = at(2025, 1, 27, 10, 0)
    due = services.deadline(start, 2, "workdays")
    assert due == at(2025, 2, 6, 17, 30)
    assert services.add_working_fraction(start, due, 0.5) == at(2025, 2, 5, 15, 0)
    # Half of 7 working hours from Monday 08:30 is used up exactly at noon, not at 14:30.
    morning = at(2025, 3, 3, 8, 30)
    seven_hours = services.deadline(morning, 7, "workhours")
    assert services.add_working_fraction(morning, seven_hours, 0.5) == at(2025, 3, 3, 12, 0)


def test_r27_amber_moment_is_a_whole_second_already_reached(calendar):
    start = at(2025, 3, 3, 9, 0, 0) + dt.timedelta(microseconds=123456)
    due = services.deadline(start, 7, "workhours")
    amber = services.add_working_fraction(start, due, 0.7)
    assert amber.microsecond == 0
    assert services.elapsed_share(start, due, amber) >= 0.7
    assert services.elapsed_share(start, due, amber - SECOND) < 0.7


def test_r27_amber_moment_ends(calendar):
    start, due = at(2025, 3, 3, 9), at(2025, 3, 4, 9)
    assert services.add_working_fraction(start, due, 0) == start
    assert services.add_working_fraction(start, due, 1) == due
    # A deadline inside the same break as the start has no working time: amber at the due.
    saturday = at(2025, 3, 8, 9)
    assert services.add_working_fraction(saturday, at(2025, 3, 8, 18), 0.8) == at(2025, 3, 8, 18)


@pytest.mark.parametrize("share", [-0.1, 1.5, "0.8", True, float("nan")])
def test_r27_amber_moment_refuses_a_bad_share(calendar, share):
    with pytest.raises(services.DomainError) as refused:
        services.add_working_fraction(at(2025, 3, 3, 9), at(2025, 3, 4, 9), share)
    assert refused.value.field == "share"


def test_r27_amber_moment_outside_the_calendar_is_an_error(calendar):
    with pytest.raises(services.CalendarNotCovered):
        services.add_working_fraction(at(2026, 3, 2, 9), at(2026, 3, 5, 17, 30), 0.8)
