"""How a handling deadline was computed, kept so that it can be computed again (R24.2, R24.3).

An assignment's deadline is the handling limit counted from the start of its handling period
(the dispatch, or the check that sent the case back for rework), then moved on by each
approved extension and by each suspension (the working time the case was suspended), in that
order. The calendar can change under it: a provisional year's State Council notice is entered,
an administrator corrects a day. :func:`replay` computes the same steps with the calendar as it
is now, so :mod:`cases.recompute` can move each open deadline to where it now falls.

The basis is plain JSON on the assignment::

    {"start": "2026-12-20T09:00:00+08:00", "amount": 5, "unit": "workdays",
     "steps": [["extend", 3, "workdays"], ["pause", "2026-12-24T10:00:00+08:00", "…"]]}
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases.models import Assignment, Extension, RequestStatus
from workdays import services as calendar

Basis = dict[str, Any]


def new(start: dt.datetime, amount: Any, unit: str) -> Basis:
    """A handling period starting at ``start`` with the entry's limit."""
    if not amount:
        return {}
    return {"start": start.isoformat(), "amount": amount, "unit": unit, "steps": []}


def extended(basis: Basis, amount: int, unit: str) -> Basis:
    """The basis after an approved extension of ``amount`` ``unit`` (from the deadline)."""
    if not basis:
        return basis
    return {**basis, "steps": [*basis["steps"], ["extend", amount, unit]]}


def paused(basis: Basis, since: dt.datetime, until: dt.datetime) -> Basis:
    """The basis after a suspension from ``since`` to ``until`` (moves deadline and clock)."""
    if not basis:
        return basis
    return {**basis, "steps": [*basis["steps"], ["pause", since.isoformat(), until.isoformat()]]}


def start_of(basis: Basis) -> dt.datetime | None:
    return dt.datetime.fromisoformat(basis["start"]) if basis else None


def replay(basis: Basis) -> tuple[dt.datetime, dt.datetime]:
    """(clock start, deadline) by the calendar as it is now; ``CalendarNotCovered`` when a
    step needs a year the calendar does not cover. The same arithmetic as the services."""
    start = dt.datetime.fromisoformat(basis["start"])
    due = calendar.deadline(start, basis["amount"], basis["unit"])
    clock = start
    for step in basis["steps"]:
        if step[0] == "extend":
            due = calendar.deadline(due, step[1], step[2])
        elif step[0] == "pause":
            since, until = (dt.datetime.fromisoformat(v) for v in step[1:3])
            hours = calendar.working_seconds_between(since, until) / 3600
            if hours:
                due = calendar.deadline(due, hours, "workhours")
                clock = calendar.deadline(clock, hours, "workhours")
    return clock, due


def of(assignment: Assignment, handling: tuple[Any, str]) -> Basis:
    """The assignment's basis; for an assignment stored before bases were kept, the best
    reconstruction: the limit from its clock start, then the extensions approved since."""
    if assignment.deadline_basis:
        return assignment.deadline_basis
    start = assignment.clock_start
    basis = new(start, *handling) if start is not None else {}
    if not basis:
        return basis
    approved = Extension.objects.filter(
        assignment=assignment, status=RequestStatus.APPROVED, decided_at__gte=start
    ).order_by("decided_at", "pk")
    for amount, unit in approved.values_list("amount", "unit"):
        basis = extended(basis, amount, unit)
    return basis
