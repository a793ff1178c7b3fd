"""Deadline checks as background tasks (R24.2, R24.3, R27.1), through the Django Tasks API.

The services schedule :func:`check_case_deadlines` for the moment a case turns amber and the
moment it falls due (:func:`schedule_checks`: in the change's own transaction when the tasks
are rows of this database, once it has committed otherwise, so a change rolled back schedules
nothing). The database backend's worker runs them by default (``manage.py run_worker``), RQ on
Redis in production. A task that is lost is made up for by the sweep (:func:`sweep_deadlines`, also
``manage.py sweep_deadlines``); a task that runs twice, late, or after the sweep warns nobody
twice, because every notification is keyed (:func:`cases.services.notify`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from cases import services
from cases.models import Case

log = logging.getLogger(__name__)


@task()
def check_case_deadlines(case_id: int, then: list[str] | None = None) -> list[str]:
    """Recompute one case's amber/red status and notify on each new colour once.

    ``then``: the later moments (ISO 8601) at which the case is to be checked again; the next
    of them is enqueued once this check has run (one job per change instead of one per moment:
    enqueueing is a large part of what a report costs).
    """
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("entry")
            .filter(pk=case_id)
            .first()
        )
        changes = [] if case is None else services.refresh_deadline_status(case)
    if case is not None and then:
        schedule_checks(case_id, [dt.datetime.fromisoformat(moment) for moment in then])
    return changes


@task()
def sweep_deadlines() -> dict[str, int]:
    """Re-check every open case (idempotent)."""
    return services.sweep_deadlines()


def stored_in_this_database() -> bool:
    """Are tasks rows of the project's database (django-tasks-db)? Then they can be enqueued
    inside the transaction of the change that calls for them."""
    backend = task_backends[check_case_deadlines.backend]
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == (
        DEFAULT_DB_ALIAS
    )


def schedule_checks(case_id: int, moments: Iterable[dt.datetime], *, robust: bool = True) -> int:
    """Schedule checks of the case at each moment; the number of moments scheduled.

    One job is enqueued, for the earliest moment, carrying the later ones (see
    :func:`check_case_deadlines`). ``robust``: a backend that refuses (Redis down) is logged,
    not raised: the change it follows has already committed, and the sweep catches up with
    the case.
    """
    ordered = sorted(set(moments))
    if not ordered:
        return 0
    first, later = ordered[0], [moment.isoformat() for moment in ordered[1:]]
    try:
        check = check_case_deadlines.using(run_after=first)
        if later:
            check.enqueue(case_id, later)
        else:
            check.enqueue(case_id)
    except Exception:
        if not robust:
            raise
        log.exception("could not schedule the deadline check of case %s at %s", case_id, first)
        return 0
    return len(ordered)
