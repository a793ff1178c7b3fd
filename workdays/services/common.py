"""What the working-day services share: the limits of what the calendar holds, the refusal of
a date the calendar does not cover, date checking, and telling the apps above that days
changed (R24.2, R24.3)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db import transaction
from django.utils.translation import gettext

from gridgov.actors import Actor
from gridgov.errors import DomainError
from workdays import signals
from workdays import snapshot as calendar_snapshot

MAX_ADD_WORKDAYS = 3650
FIRST_DEFAULT_YEAR = 2015  # deadlines of cases imported from older systems; older on request
YEAR_RANGE = (1950, 2200)

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


def check_date(value: object, field: str) -> dt.date:
    """``value`` when it is a date (a datetime is not), else a refusal naming ``field``."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise DomainError(gettext("%(field)s must be a date") % {"field": field}, field=field)
    return value


def calendar_changed() -> None:
    """Tell every process that the calendar's days changed (its cached snapshot)."""
    # Now, so that later reads in this transaction (and tests, whose transactions never
    # commit) see the change; and again on commit, so that a process that rebuilt from the
    # not-yet-committed state in between is told again.
    calendar_snapshot.invalidate()
    transaction.on_commit(calendar_snapshot.invalidate)


def days_changed(first: dt.date, last: dt.date, actor: Actor, reason: str) -> int:
    """Days that deadlines may already have counted changed: refresh the calendar, then let
    the apps above recompute the open deadlines the change moves (R24.2, R24.3). The number
    of deadlines moved."""
    calendar_changed()
    return signals.announce(first, last, actor, reason)
