"""Deadline checks as background tasks (R24.2, R24.3, R27.1), through the Django Tasks API.

Every case records the next moment its colour (or one of its assignments') may change, an
amber moment or a deadline, in ``Case.next_check_at``. A change that sets such a moment plans
a check for the minute it falls in (:func:`plan_check`); that one job,
:func:`check_due_cases`, refreshes every open case due by then, however many there are, and
each refreshed case records and plans its own next moment. So a report or a dispatch costs no
job of its own once its minute is planned, and a province's open cases are a handful of
waiting jobs, not two per case.

Planning happens in the change's own transaction when the tasks are rows of this database
(rolled back with it), once it has committed otherwise (RQ on Redis in production), so a
change rolled back plans nothing. The database backend's worker runs the jobs by default
(``manage.py run_worker``). A job that is lost is made up for by the next minute's job or by
the sweep (:func:`sweep_deadlines`, also ``manage.py sweep_deadlines``, which plans every open
case again); a job that runs twice, late, or after the sweep warns nobody twice, because
every notification is keyed (:func:`cases.primitives.notify`).

The checks themselves are :mod:`cases.clock`; it hands the moments to plan to
:func:`plan_check` (``CasesConfig.ready`` sets it as the clock's planner), so this module
imports the clock and never the other way round.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from cases import clock
from cases.models import Case

log = logging.getLogger(__name__)

MINUTE = dt.timedelta(minutes=1)


@task()
def check_due_cases() -> dict[str, int]:
    """Refresh every open case whose next check is due (idempotent)."""
    return clock.check_due_cases()


@task()
def check_case_deadlines(case_id: int) -> list[str]:
    """Recompute one case's amber/red status now and notify on each new colour once."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("entry")
            .filter(pk=case_id)
            .first()
        )
        return [] if case is None else clock.refresh_deadline_status(case)


@task()
def sweep_deadlines() -> dict[str, int]:
    """Re-check every open case (idempotent)."""
    return clock.sweep_deadlines()


def stored_in_this_database() -> bool:
    """Are tasks rows of the project's database (django-tasks-db)? Then they can be enqueued
    inside the transaction of the change that calls for them."""
    backend = task_backends[check_due_cases.backend]
    return isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == (
        DEFAULT_DB_ALIAS
    )


def minute_of(moment: dt.datetime) -> dt.datetime:
    """The end of the minute a moment falls in (the moment itself when it is a whole minute):
    the check runs when the moment has come."""
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + MINUTE


class _Planned:
    """Minutes this process has already planned a job for (RQ: one Redis round trip saved per
    report). Several processes may each plan the same minute: the jobs are idempotent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._minutes: set[dt.datetime] = set()

    def add(self, minute: dt.datetime) -> bool:
        """Record the minute; False when it was already there."""
        with self._lock:
            if minute in self._minutes:
                return False
            if len(self._minutes) > 10_000:  # forget the past ones
                now = dt.datetime.now(dt.UTC)
                self._minutes = {m for m in self._minutes if m > now}
            self._minutes.add(minute)
            return True

    def discard(self, minute: dt.datetime) -> None:
        with self._lock:
            self._minutes.discard(minute)

    def clear(self) -> None:
        with self._lock:
            self._minutes.clear()


planned = _Planned()


def plan_check(moment: dt.datetime) -> None:
    """Make sure a :func:`check_due_cases` job runs at the end of the moment's minute.

    Database backend: the job is a row written in the caller's transaction, unless a job for
    that minute is already waiting. Any other backend (RQ) is told once the transaction has
    committed, once per minute and process; a backend that refuses (Redis down) is logged,
    not raised: the change has committed, and the sweep catches up with the case.
    """
    minute = minute_of(moment)
    if stored_in_this_database():
        waiting = DBTaskResult.objects.filter(
            task_path=check_due_cases.module_path,
            status=TaskResultStatus.READY,
            run_after=minute,
        )
        if not waiting.exists():
            check_due_cases.using(run_after=minute).enqueue()
        return
    transaction.on_commit(lambda: enqueue_once(minute), robust=True)


def enqueue_once(minute: dt.datetime) -> None:
    """Enqueue the minute's :func:`check_due_cases` job on a backend outside this database
    (RQ), once per future minute and process (:func:`plan_check` calls it after commit)."""
    # A minute already begun or past may have had its job run before this change committed:
    # that one is enqueued again (it runs at once), only future minutes are enqueued once.
    if minute > timezone.now() and not planned.add(minute):
        return
    try:
        check_due_cases.using(run_after=minute).enqueue()
    except Exception:
        planned.discard(minute)
        log.exception("could not plan the deadline checks of %s", minute.isoformat())
