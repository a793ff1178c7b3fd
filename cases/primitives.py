"""What every step of a case uses (R24–R27): the time the step happens at (:func:`acting_at`),
the terms its admission entry sets, saving the fields it changed, and notifying people once
per key.

The lowest of the modules that take steps of a case: :mod:`cases.clock`, :mod:`cases.steps`,
:mod:`cases.notify.progress` and :mod:`cases.services` build on it, so it imports none of them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from cases.models import Case, Notification
from cases.notify import channels
from gridgov.actors import Actor as Actor  # who takes a step; cases modules import it here
from matters.models import AdmissionEntry
from people.models import Department

_acting_at: ContextVar[dt.datetime | None] = ContextVar("cases_acting_at", default=None)


@contextlib.contextmanager
def acting_at(moment: dt.datetime) -> Iterator[None]:
    """Take the steps inside as happening at ``moment`` (the demo replays two months of
    cases; an import from an older system keeps their real times). The archive hashes what
    it stores, so the chains stay verifiable (R26.2)."""
    token = _acting_at.set(moment)
    try:
        yield
    finally:
        _acting_at.reset(token)


def now() -> dt.datetime:
    """The time of the step being taken: now, or the moment set by :func:`acting_at`."""
    return _acting_at.get() or timezone.now()


def terms(entry: AdmissionEntry) -> dict[str, Any]:
    """The time limits and departments an admission entry sets (R9.2, R24.2, R24.3).

    Kept on the entry object: a published entry does not change, and the gate's per-process
    cache hands intake the same objects until any list, entry or department changes."""
    terms = entry.__dict__.get("_case_terms")
    if terms is None:
        terms = entry.__dict__["_case_terms"] = {
            "dispatch": (entry.dispatch_limit_amount, entry.dispatch_limit_unit),
            "handling": (entry.handling_limit_amount, entry.handling_limit_unit),
            "amber": (entry.amber_threshold_percent or 80) / 100,
            "lead": entry.lead_department,
            "co": list(entry.co_departments.all()),
            "settle_on_spot": bool(entry.item.settle_on_spot_allowed),
        }
    return terms


def save(case: Case, *fields: str) -> None:
    """Save the fields a step changed, and the case's ``updated_at``."""
    case.save(update_fields=[*fields, "updated_at"])


def notify(
    kind: str,
    key: str,
    message: str,
    *,
    case: Case | None = None,
    agency_code: str = "",
    department: Department | None = None,
    grid_code: str = "",
) -> Notification:
    """Create a notification once per key (tasks and sweeps may run twice: no double warning)
    for an agency, a department or a grid's workers; each of them gets it in their
    notification centre (R26.1, R27.1; :mod:`cases.notify`)."""
    notification, created = Notification.objects.get_or_create(
        key=key[:120],
        defaults={
            "kind": kind,
            "case": case,
            "agency_code": agency_code,
            "department": department,
            "grid_code": grid_code,
            "message": message[:300],
            "created_at": now(),
        },
    )
    if created:
        channels.in_app.send(notification)
    return notification
