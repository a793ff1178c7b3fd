"""The calendar in memory: covered years and working days, per process (R24.2, R24.3).

Cases compute deadlines on every intake, so the services read this snapshot instead of the
database. It is built lazily and rebuilt when the calendar changes: services replace a
generation token in the Django cache (shared between processes when the cache is Redis), and
the next call that sees a different token rebuilds. The token is random rather than a counter
so that a cleared cache (a restart of Redis, or the test suite's ``cache.clear()``) can never
make an old snapshot look current again.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from gridgov.generations import Generation, PerProcessValue

GENERATION = Generation("workdays:calendar-generation")


@dataclass(frozen=True)
class Snapshot:
    covered_years: frozenset[int]
    # Ordinals (date.toordinal()) of the working days of the covered years, ascending.
    workday_ordinals: tuple[int, ...]
    workday_set: frozenset[int]
    # Covered from the statutory holidays only, the State Council's notice not entered yet.
    provisional_years: frozenset[int] = frozenset()

    def is_provisional_between(self, first: int, last: int) -> bool:
        """Does any year of first..last stand provisional (R24.2)?"""
        return any(first <= year <= last for year in self.provisional_years)

    def is_covered(self, year: int) -> bool:
        return year in self.covered_years

    def first_uncovered(self, first: int, last: int) -> int | None:
        """The first year in first..last that is not covered, if any."""
        for year in range(first, last + 1):
            if year not in self.covered_years:
                return year
        return None

    def first_uncovered_from(self, year: int) -> int:
        while year in self.covered_years:
            year += 1
        return year

    def is_workday(self, day: dt.date) -> bool:
        return day.toordinal() in self.workday_set

    def nth_workday_after(self, day: dt.date, n: int) -> dt.date | None:
        """The n-th working day strictly after ``day`` (n ≥ 1) among the covered days."""
        position = bisect.bisect_right(self.workday_ordinals, day.toordinal()) + n - 1
        if position >= len(self.workday_ordinals):
            return None
        return dt.date.fromordinal(self.workday_ordinals[position])

    def workdays_strictly_between(self, first: dt.date, last: dt.date) -> int:
        lo = bisect.bisect_right(self.workday_ordinals, first.toordinal())
        hi = bisect.bisect_left(self.workday_ordinals, last.toordinal())
        return max(0, hi - lo)


def invalidate() -> None:
    """Tell every process that the calendar changed."""
    GENERATION.bump()


def build() -> Snapshot:
    from workdays.models import CalendarDay, CalendarYear

    records = list(CalendarYear.objects.values_list("year", "provisional"))
    years = frozenset(year for year, _provisional in records)
    provisional = frozenset(year for year, is_provisional in records if is_provisional)
    ordinals: list[int] = []
    if years:
        dates = (
            CalendarDay.objects.filter(
                is_workday=True,
                date__gte=dt.date(min(years), 1, 1),
                date__lte=dt.date(max(years), 12, 31),
            )
            .order_by("date")
            .values_list("date", flat=True)
        )
        ordinals = [d.toordinal() for d in dates if d.year in years]
    return Snapshot(years, tuple(ordinals), frozenset(ordinals), provisional)


_snapshot: PerProcessValue[Snapshot] = PerProcessValue(GENERATION, build)


def get() -> Snapshot:
    """The shared snapshot, rebuilt if the calendar changed since it was built."""
    return _snapshot.get()


def reset() -> None:
    """Forget the snapshot (tests: each test has its own database)."""
    _snapshot.reset()
