"""Which key places are due for an inspection (R11.1 (二)): set-based, without date arithmetic
in the database.

A place is due when it was never inspected, or when its last inspection lies ``inspection_days``
or more days back. The frequencies in use are few (weekly, monthly, quarterly …), so "due by
``today + within``" is one condition per frequency in use,
``inspection_days = d AND last_inspected_on <= today + within - d``: plain range conditions that
SQLite and PostgreSQL answer alike. The caller narrows the queryset by ``scope_queryset`` first.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from registry.filters import due_by
from registry.models import Place


def next_inspection(place: Place) -> dt.date | None:
    """The day the place's next inspection falls due (None: never inspected, due now)."""
    if place.last_inspected_on is None:
        return None
    return place.last_inspected_on + dt.timedelta(days=place.inspection_days)


def due_condition(queryset: QuerySet[Place], limit: dt.date) -> Q:
    """The condition "due by ``limit``" over the frequencies used in ``queryset``."""
    frequencies = queryset.order_by().values_list("inspection_days", flat=True).distinct()
    parts = [
        Q(inspection_days=days, last_inspected_on__lte=limit - dt.timedelta(days=days))
        for days in frequencies
    ]
    return reduce(or_, parts, Q(last_inspected_on__isnull=True))


def due(
    queryset: QuerySet[Place],
    *,
    today: dt.date | None = None,
    within: int = 0,
    overdue_only: bool = False,
) -> QuerySet[Place]:
    """Active places due for an inspection by ``today + within`` (before ``today`` with
    ``overdue_only``), the longest uninspected first."""
    today = today or timezone.localdate()
    limit = due_by(today, within, overdue_only)
    active = queryset.filter(is_active=True)
    return active.filter(due_condition(active, limit)).order_by(
        F("last_inspected_on").asc(nulls_first=True), "pk"
    )
