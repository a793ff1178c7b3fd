"""Who is due or overdue for a visit (R11.1 (二)): set-based, for millions of residents.

A tag carries the day its next visit falls due (``next_visit_on``, kept by
``registry.services.tags`` at every write: the last visit, else the start, plus the
frequency). "Due within ``within`` days" is then one range condition,
``next_visit_on <= today + within``, answered by the partial indexes (grid or region code,
due day) over open tags: no date arithmetic per row, no Python loop. The lists are always
narrowed by the caller's ``scope_queryset`` first, so the visibility table applies.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from people.models import GridAssignment, GridWorker
from registry.filters import due_by, in_area
from registry.models import ResidentStatus, SpecialGroupTag


def open_tags(queryset: QuerySet[SpecialGroupTag]) -> QuerySet[SpecialGroupTag]:
    """Tags still running, of residents living here and not merged away."""
    return queryset.filter(
        ended_on__isnull=True,
        resident__status=ResidentStatus.LIVING,
        resident__merged_into__isnull=True,
    )


def due(
    queryset: QuerySet[SpecialGroupTag],
    *,
    today: dt.date | None = None,
    within: int = 0,
    overdue_only: bool = False,
) -> QuerySet[SpecialGroupTag]:
    """Open tags whose visit falls due by ``today + within`` days (or before ``today`` only,
    with ``overdue_only``), the most overdue first."""
    today = today or timezone.localdate()
    limit = due_by(today, within, overdue_only)
    return open_tags(queryset).filter(next_visit_on__lte=limit).order_by("next_visit_on", "pk")


def in_grid(queryset: QuerySet[SpecialGroupTag], grid_code: str) -> QuerySet[SpecialGroupTag]:
    """The tags of one grid (or every grid under a region code prefix)."""
    return in_area(queryset, grid_code)


def of_worker(queryset: QuerySet[SpecialGroupTag], worker: GridWorker) -> QuerySet[SpecialGroupTag]:
    """The tags in the grids ``worker`` serves now (people's active grid assignments)."""
    grids = GridAssignment.objects.active().filter(worker=worker).values("grid_code")
    return queryset.filter(grid_code__in=grids)


def counts_by_grid(
    queryset: QuerySet[SpecialGroupTag], *, today: dt.date | None = None, within: int = 0
) -> QuerySet:
    """Per grid: how many visits are overdue and how many fall due within ``within`` days, in
    one grouped query (rows of ``grid_code``, ``overdue``, ``due``)."""
    today = today or timezone.localdate()
    return (
        due(queryset, today=today, within=within)
        .order_by()
        .values("grid_code")
        .annotate(
            overdue=Count("pk", filter=Q(next_visit_on__lt=today)),
            due=Count("pk", filter=Q(next_visit_on__gte=today)),
        )
        .order_by("grid_code")
    )
