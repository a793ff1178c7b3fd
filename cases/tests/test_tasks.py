"""Deadline checks as background tasks (R24.2, R24.3, R27.1): each case records its next
amber moment or deadline and the services plan one job per minute for it (in the change's
transaction, or once it commits), run by the database backend's worker (the embedded default)
and by RQ on the real Redis (production); a duplicated or missed job never warns twice.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import uuid
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult

from cases import clock as deadline_clock
from cases import services, tasks
from cases.models import Case, DeadlineStatus, Notification
from cases.tests.test_deadlines import (
    clock,
    dispatched,
    lead,
    notifications,
    report,
    working_morning,
)
from workdays import services as calendar

pytestmark = pytest.mark.django_db

CHECK = "cases.tasks.check_case_deadlines"
DUE = "cases.tasks.check_due_cases"
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
REDIS_URL = os.environ.get("GRIDGOV_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def t0(world) -> dt.datetime:
    return working_morning(timezone.localdate())


@pytest.fixture
def db_tasks(settings):
    """The database backend, whatever the environment chose."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def planned_minutes() -> list[dt.datetime]:
    """The minutes a :func:`cases.tasks.check_due_cases` job waits for."""
    rows = DBTaskResult.objects.filter(task_path=DUE, status=TaskResultStatus.READY)
    return sorted(row.run_after for row in rows)


def next_check(case: Case) -> dt.datetime | None:
    return Case.objects.get(pk=case.pk).next_check_at


def run_due_db_tasks() -> list[DBTaskResult]:
    """What one ``db_worker --batch`` pass does: claim and run every task that is due now.

    The command itself cannot run inside a test's transaction (it closes "stale" database
    connections between tasks), so this drives its worker the same way the command does.
    """
    worker = DBWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest",
        excluded_queue_names=[],
    )
    done = []
    ready = DBTaskResult.objects.ready().filter(backend_name="default")
    while (result := ready.get_locked()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        result.refresh_from_db()
        done.append(result)
    return done


# --- planning: from the services, in the change's transaction or on commit --------------------


def test_r27_1_a_report_plans_the_check_at_its_amber_moment(world, t0, db_tasks):
    """R24.2: a worker's report starts its dispatch deadline; the case records the moment it
    turns amber and a job waits for that minute."""
    case = report(world, t0)
    amber = calendar.add_working_fraction(t0, case.dispatch_due_at, 0.8)
    assert next_check(case) == amber
    assert planned_minutes() == [tasks.minute_of(amber)]


def test_r27_1_cases_due_in_the_same_minute_share_one_job(world, t0, db_tasks):
    """A province reports thousands of cases an hour: the checks are one job per minute, not
    one per case and moment."""
    cases = [report(world, t0) for _ in range(5)]
    assert len({next_check(c) for c in cases}) == 1
    assert len(planned_minutes()) == 1
    assert not DBTaskResult.objects.filter(task_path=CHECK).exists()


def test_r27_1_minute_of_rounds_up_to_the_whole_minute():
    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    assert tasks.minute_of(at) == at
    assert tasks.minute_of(at + dt.timedelta(microseconds=1)) == at + dt.timedelta(minutes=1)
    assert tasks.minute_of(at + dt.timedelta(seconds=59)) == at + dt.timedelta(minutes=1)


def test_r27_1_a_rolled_back_change_plans_nothing(world, t0, db_tasks):
    """Database backend: the job rows and the case's next check are written in the change's
    own transaction (no extra commit per report) and rolled back with it."""
    with pytest.raises(RuntimeError), transaction.atomic():
        report(world, t0)
        assert planned_minutes() != []
        raise RuntimeError("the request failed after the report")
    assert planned_minutes() == []
    assert not Case.objects.exists()


def test_r27_1_other_backends_are_told_only_after_the_commit(
    world, t0, settings, django_capture_on_commit_callbacks
):
    """RQ (and any backend outside this database) hears of the checks once the change has
    committed, once per minute and process; a change rolled back tells it nothing."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    tasks.planned.clear()
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report(world, t0)
        raise RuntimeError("the request failed after the report")
    assert callbacks == [] and backend.results == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = report(world, t0)
        report(world, t0)  # the same minute
    assert backend.results == []  # not before the commit
    for callback in callbacks:
        callback()
    [job] = backend.results
    assert (job.task.module_path, job.task.run_after) == (DUE, tasks.minute_of(next_check(first)))
    tasks.planned.clear()


def test_r24_1_a_case_settled_on_the_spot_plans_nothing(
    world, t0, db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(world, t0, matter=world.settle_code, settle_note="已劝离")
    assert case.state == "closed"
    assert next_check(case) is None
    assert not DBTaskResult.objects.exists()


def test_r27_1_a_backend_that_refuses_does_not_undo_the_change(
    world, t0, settings, caplog, django_capture_on_commit_callbacks
):
    """RQ down: the report is stored, the failure logged; the next minute's job or the sweep
    catches up with the case."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    tasks.planned.clear()
    refusing = mock.Mock(backend="default")
    refusing.using.return_value.enqueue.side_effect = OSError("Redis down")
    with (
        mock.patch.object(tasks, "check_due_cases", refusing),
        django_capture_on_commit_callbacks(execute=True),
    ):
        case = report(world, t0)
    assert Case.objects.filter(pk=case.pk).exists()
    assert "could not plan the deadline checks" in caplog.text
    assert next_check(case) is not None
    tasks.planned.clear()


# --- the database backend's worker ------------------------------------------------------------


def run_due_until(moment: dt.datetime) -> list[DBTaskResult]:
    with clock(moment):
        return run_due_db_tasks()


def test_r27_1_database_worker_turns_cases_amber_then_red_on_time(world, t0, db_tasks):
    """R24.3, R27.1: without anyone sweeping, the minute's job turns the assignment and the
    case amber at the amber moment and red at the deadline, each colour notified once; each
    check plans the next."""
    case = dispatched(world, t0)
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)
    # The dispatch deadline's amber moment came first; its check moves on to the handling one.
    run_due_until(case.dispatch_due_at + HOUR)
    assert next_check(case) == amber
    assert tasks.minute_of(amber) in planned_minutes()

    assert [r for r in run_due_until(amber - SECOND) if r.task_path == DUE] == []
    [ran] = run_due_until(tasks.minute_of(amber))
    assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
    assert ran.return_value == {"cases": 1, "changes": 2}
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.AMBER
    assert next_check(case) == due

    [ran] = run_due_until(tasks.minute_of(due))
    assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]
    assert next_check(case) is None  # nothing more to come until the case moves on
    assert planned_minutes() == []


def test_r24_3_extension_rework_and_resume_plan_checks_for_the_new_deadlines(world, t0, db_tasks):
    """A moved deadline is checked at its new moments: the old ones, if still planned, find
    nothing to do and plan the new ones."""
    case = dispatched(world, t0)
    with clock(t0 + HOUR):
        extension = services.request_extension(
            world.police_handler, case.pk, amount=1, unit="workdays", reason="需协调"
        )
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=True)
    new_due = lead(case).due_at
    new_amber = calendar.add_working_fraction(t0, new_due, 0.8)
    assert next_check(case) <= new_amber
    run_due_until(new_amber - SECOND)
    assert next_check(case) == new_amber
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.NORMAL

    with clock(new_amber - SECOND):
        suspension = services.request_suspension(world.police_handler, case.pk, reason="等待")
        services.decide_suspension(world.dispatcher, case.pk, suspension=suspension, approve=True)
    run_due_until(new_due + HOUR)  # suspended: the clock stands still
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.NORMAL
    with clock(new_due + HOUR):
        services.resume(world.dispatcher, case.pk)
    resumed_due = lead(case).due_at
    assert resumed_due > new_due
    assert next_check(case) is not None and next_check(case) <= resumed_due
    run_due_until(resumed_due)
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED

    with clock(resumed_due + HOUR):
        services.feedback(world.police_handler, case.pk, note="已处理")
        services.check(world.dispatcher, case.pk, passed=False, note="返工")
    rework_due = lead(case).due_at
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.NORMAL
    run_due_until(rework_due)
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED


def test_r27_1_duplicated_or_missed_tasks_never_double_warn(world, t0, db_tasks):
    """The minute's job runs twice (a duplicate), then the sweep runs after it: one
    notification per colour and recipient. A case whose checks were all lost goes straight to
    red at the next job or sweep."""
    case = dispatched(world, t0)
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)
    DBTaskResult.objects.all().delete()
    for _ in range(2):
        tasks.check_due_cases.using(run_after=amber).enqueue()
    with clock(amber + HOUR):
        runs = [r for r in run_due_db_tasks() if r.task_path == DUE]
        assert deadline_clock.sweep_deadlines() == {"cases": 1, "changes": 0}
    assert [r.status for r in runs] == [TaskResultStatus.SUCCESSFUL] * 2
    assert sorted(r.return_value["changes"] for r in runs) == [0, 2]  # the second found it done
    with clock(due + HOUR):
        tasks.check_due_cases.enqueue()
        tasks.check_due_cases.enqueue()
        tasks.check_case_deadlines.enqueue(case.pk)
        run_due_db_tasks()
        call_command("sweep_deadlines", stdout=io.StringIO())
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]

    missed = dispatched(world, t0)
    DBTaskResult.objects.all().delete()  # all its planned checks are lost
    with clock(due + HOUR):
        deadline_clock.sweep_deadlines()
    assert notifications(missed, "amber") == []
    assert notifications(missed, "red") == [("", world.police.pk), ("440703002", None)]


def test_r27_1_the_sweep_plans_every_open_case_again(world, t0, db_tasks):
    """Redis emptied, the task table truncated: the sweep (run at every worker start) plans
    each open case's next check again."""
    case = dispatched(world, t0)
    DBTaskResult.objects.all().delete()
    Case.objects.filter(pk=case.pk).update(next_check_at=None)
    with clock(t0 + HOUR):
        deadline_clock.sweep_deadlines()
    # Dispatched: the handling deadline is what counts now, no longer the dispatch deadline.
    assert next_check(case) == calendar.add_working_fraction(t0, case.due_at, 0.8)
    assert planned_minutes() == [tasks.minute_of(next_check(case))]


def test_r27_1_a_check_of_a_case_that_is_gone_does_nothing(world, db_tasks):
    assert tasks.check_case_deadlines.call(987654321) == []
    assert tasks.check_due_cases.call() == {"cases": 0, "changes": 0}


def test_r27_1_sweep_task_sweeps(world, t0, db_tasks):
    case = dispatched(world, t0)
    DBTaskResult.objects.all().delete()
    with clock(case.due_at):
        tasks.sweep_deadlines.enqueue()
        [ran] = run_due_db_tasks()
    assert ran.return_value == {"cases": 1, "changes": 2}
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED


# --- run_worker: the right worker for the configured backend ---------------------------------


def test_run_worker_runs_rq_with_its_scheduler_and_job_class(settings):
    """RQ keeps tasks with ``run_after`` in a scheduled registry that only the scheduler
    moves to the queue: without ``--with-scheduler`` no deadline check would ever run."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with (
        mock.patch("cases.management.commands.run_worker.call_command") as command,
        mock.patch("cases.tasks.sweep_deadlines") as sweep,
    ):
        call_command("run_worker")
    command.assert_called_once_with(
        "rqworker", "default", job_class="django_tasks_rq.Job", with_scheduler=True, burst=False
    )
    sweep.enqueue.assert_called_once_with()  # catch up with checks missed while down


def test_run_worker_runs_the_database_worker(settings, db_tasks):
    with mock.patch("cases.management.commands.run_worker.call_command") as command:
        call_command("run_worker", "--batch", "--no-sweep")
    command.assert_called_once_with("db_worker", interval=2, reload=False, batch=True)


def test_run_worker_has_nothing_to_run_in_process(settings, capsys):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("run_worker")
    assert "no worker needed" in capsys.readouterr().out


# --- RQ on the real Redis --------------------------------------------------------------------


@pytest.fixture
def rq_queue(settings):
    """The RQ backend on a queue of its own on the real Redis, removed afterwards. Skips
    with the reason when Redis is unreachable, unless GRIDGOV_REQUIRE_REDIS=1 (CI)."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as exc:
        reason = f"Redis is unreachable at {REDIS_URL}: {exc}"
        if os.environ.get("GRIDGOV_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason} (GRIDGOV_REQUIRE_REDIS=1)", pytrace=False)
        pytest.skip(reason)
    name = f"gridgov-test-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}, name: {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    job_ids: list[str] = []
    yield name, job_ids
    for pattern in [f"*{name}*", *(f"*{job_id}*" for job_id in job_ids)]:
        for key in connection.scan_iter(match=pattern, count=1000):
            connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{name}")
    connection.close()


def run_rq_worker(queue_name: str, *, with_scheduler: bool) -> bool:
    """An RQ worker in burst mode, in this process (so it sees the test's transaction)."""
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue(queue_name, job_class=Job)
    worker = SimpleWorker(
        [queue], connection=queue.connection, job_class=Job, name=f"{queue_name}-worker"
    )
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return worker.work(burst=True, with_scheduler=with_scheduler, logging_level="WARNING")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.redis
def test_r27_1_rq_worker_runs_the_check_on_the_real_redis(world, t0, rq_queue):
    queue_name, job_ids = rq_queue
    case = dispatched(world, t0)
    result = tasks.check_case_deadlines.using(queue_name=queue_name).enqueue(case.pk)
    job_ids.append(result.id)
    with clock(case.due_at):
        assert run_rq_worker(queue_name, with_scheduler=False)
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]
    finished = tasks.check_case_deadlines.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == [f"assignment:{lead(case).pk}:red", "case:red"]


@pytest.mark.redis
def test_r27_1_rq_runs_scheduled_checks_only_with_its_scheduler(world, t0, rq_queue):
    """A check enqueued with ``run_after`` waits in RQ's scheduled registry: a worker without
    the scheduler never runs it, one with it (as run_worker starts it) runs it once due, and
    one still in the future stays waiting."""
    queue_name, job_ids = rq_queue
    case = dispatched(world, t0)
    check = tasks.check_case_deadlines.using(queue_name=queue_name)
    due_now = check.using(run_after=timezone.now() - SECOND).enqueue(case.pk)
    later = check.using(run_after=timezone.now() + HOUR).enqueue(case.pk)
    job_ids += [due_now.id, later.id]
    with clock(case.due_at):
        assert not run_rq_worker(queue_name, with_scheduler=False)
        assert not Notification.objects.filter(case=case, kind="red").exists()
        assert run_rq_worker(queue_name, with_scheduler=True)
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]
    assert check.get_result(due_now.id).status == TaskResultStatus.SUCCESSFUL
    assert check.get_result(later.id).status == TaskResultStatus.READY


@pytest.mark.redis
def test_r27_1_rq_worker_runs_the_minute_job_on_the_real_redis(world, t0, rq_queue):
    """Production: the minute's job, run by an RQ worker, refreshes every case due by then."""
    queue_name, job_ids = rq_queue
    cases = [dispatched(world, t0) for _ in range(2)]
    result = tasks.check_due_cases.using(queue_name=queue_name).enqueue()
    job_ids.append(result.id)
    with clock(cases[0].due_at + HOUR):
        assert run_rq_worker(queue_name, with_scheduler=False)
    finished = tasks.check_due_cases.get_result(result.id)
    assert finished.status == TaskResultStatus.SUCCESSFUL
    assert finished.return_value == {"cases": 2, "changes": 4}
    for case in cases:
        assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED
        assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]


def test_r27_1_each_minute_job_plans_the_earliest_moment_to_come(world, t0, db_tasks):
    """Self-healing: whatever jobs were lost, the minute's job plans the next one due among
    all open cases, so the checks go on as a chain."""
    first = dispatched(world, t0)
    later = dispatched(world, t0 + 2 * HOUR)
    DBTaskResult.objects.all().delete()  # every planned job lost
    with clock(t0 + HOUR):
        tasks.check_due_cases.call()
    assert planned_minutes() == [tasks.minute_of(min(next_check(first), next_check(later)))]


def test_r27_1_a_minute_already_begun_is_enqueued_again(world, t0, settings):
    """RQ: a minute whose job may already have run is enqueued again (it runs at once); a
    future minute only once per process."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    tasks.planned.clear()
    past = tasks.minute_of(timezone.now() - HOUR)
    future = tasks.minute_of(timezone.now() + HOUR)
    for minute in (past, past, future, future):
        tasks.enqueue_once(minute)
    assert [r.task.run_after for r in backend.results] == [past, past, future]
    tasks.planned.clear()
