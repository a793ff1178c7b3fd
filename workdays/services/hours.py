"""The working periods of a working day, ``GRIDGOV["WORKDAY_HOURS"]`` (R24.2, R24.3 hour limits)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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
