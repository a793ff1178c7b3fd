"""Deadline checks as background tasks (R24.2, R24.3, R27.1): scheduled by the services at
the amber moment and the deadline once a change commits, run by the database backend's worker
(the embedded default) and by RQ on the real Redis (production); a duplicated or missed task
never warns twice.
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


def scheduled_checks(case: Case) -> list[dt.datetime]:
    """Every moment the case is still to be checked at: each waiting job's own and the later
    ones it carries (one job per change; it enqueues the next when it has run)."""
    moments = []
    for row in DBTaskResult.objects.filter(task_path=CHECK, status=TaskResultStatus.READY):
        case_id, *then = row.args_kwargs["args"]
        if case_id == case.pk:
            moments.append(row.run_after)
            moments += [dt.datetime.fromisoformat(m) for m in (then[0] if then else [])]
    return sorted(moments)


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


# --- scheduling: from the services, on commit -----------------------------------------------


def test_r27_1_dispatch_schedules_checks_at_the_amber_moment_and_the_deadline(
    world, t0, db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = dispatched(world, t0, sign=False)
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)
    # The worker's report scheduled its dispatch deadline's checks too.
    dispatch_due = case.dispatch_due_at
    dispatch_amber = calendar.add_working_fraction(t0, dispatch_due, 0.8)
    assert scheduled_checks(case) == sorted([dispatch_amber, dispatch_due, amber, due])


def test_r24_3_extension_rework_and_resume_schedule_checks_for_the_new_deadlines(
    world, t0, db_tasks, django_capture_on_commit_callbacks
):
    case = dispatched(world, t0)
    with django_capture_on_commit_callbacks(execute=True), clock(t0 + HOUR):
        extension = services.request_extension(
            world.police_handler, case.pk, amount=1, unit="workdays", reason="需协调"
        )
        services.decide_extension(world.dispatcher, case.pk, extension=extension, approve=True)
    new_due = lead(case).due_at
    assert new_due in scheduled_checks(case)
    assert calendar.add_working_fraction(t0, new_due, 0.8) in scheduled_checks(case)

    with django_capture_on_commit_callbacks(execute=True), clock(t0 + 2 * HOUR):
        suspension = services.request_suspension(world.police_handler, case.pk, reason="等待")
        services.decide_suspension(world.dispatcher, case.pk, suspension=suspension, approve=True)
    with django_capture_on_commit_callbacks(execute=True), clock(new_due):
        services.resume(world.dispatcher, case.pk)
    assert lead(case).due_at in scheduled_checks(case)

    with django_capture_on_commit_callbacks(execute=True), clock(new_due + HOUR):
        services.feedback(world.police_handler, case.pk, note="已处理")
        services.check(world.dispatcher, case.pk, passed=False, note="返工")
    assert lead(case).due_at in scheduled_checks(case)


def test_r27_1_a_rolled_back_change_schedules_nothing(world, t0, db_tasks):
    """Database backend: the task rows are written in the change's own transaction (no extra
    commit per intake) and rolled back with it."""
    case = report(world, t0)
    with clock(t0):
        services.accept(world.dispatcher, case.pk)
    before = scheduled_checks(case)
    assert len(before) == 2  # the report's dispatch deadline
    with pytest.raises(RuntimeError), transaction.atomic(), clock(t0):
        services.dispatch(world.dispatcher, case.pk)
        assert len(scheduled_checks(case)) == 4
        raise RuntimeError("the request failed after the dispatch")
    assert scheduled_checks(case) == before
    assert Case.objects.get(pk=case.pk).state == "accepted"


def test_r27_1_other_backends_are_told_only_after_the_commit(
    world, t0, settings, django_capture_on_commit_callbacks
):
    """RQ (and any backend outside this database) hears of the checks once the change has
    committed; a change rolled back tells it nothing."""
    from django_tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    case = report(world, t0)
    with clock(t0):
        services.accept(world.dispatcher, case.pk)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        clock(t0),
    ):
        services.dispatch(world.dispatcher, case.pk)
        raise RuntimeError("the request failed after the dispatch")
    assert callbacks == [] and backend.results == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks, clock(t0):
        case = services.dispatch(world.dispatcher, case.pk)
    assert backend.results == []  # not before the commit
    for callback in callbacks:
        callback()
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)
    # One job for the change: at the amber moment, carrying the deadline's check.
    [job] = backend.results
    assert (job.task.module_path, job.task.run_after) == (CHECK, amber)
    assert job.args == [case.pk, [due.isoformat()]]


def test_r24_1_a_case_settled_on_the_spot_schedules_nothing(
    world, t0, db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = report(world, t0, matter=world.settle_code, settle_note="已劝离")
    assert case.state == "closed"
    assert not DBTaskResult.objects.exists()


def test_r27_1_a_backend_that_refuses_does_not_undo_the_change(world, t0, db_tasks, caplog):
    """Enqueueing happens after the commit; a failure is logged and the sweep catches up."""
    case = report(world, t0)
    with mock.patch.object(DBTaskResult.objects, "create", side_effect=OSError("disk full")):
        assert tasks.schedule_checks(case.pk, [t0 + HOUR, t0 + 2 * HOUR]) == 0
    assert "could not schedule the deadline check" in caplog.text


# --- the database backend's worker ------------------------------------------------------------


def test_r27_1_database_worker_runs_each_check_when_it_is_due(
    world, t0, db_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = dispatched(world, t0)
    # Only the handling deadline's checks: the dispatch deadline's are past concern.
    DBTaskResult.objects.filter(run_after__lte=case.dispatch_due_at).delete()
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)

    with clock(amber - SECOND):
        assert run_due_db_tasks() == []  # nothing is due yet
    with clock(amber):
        [ran] = run_due_db_tasks()
    assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
    assert ran.return_value == [f"assignment:{lead(case).pk}:amber", "case:amber"]
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]

    # The amber check enqueued the deadline's, which it carried.
    assert scheduled_checks(case) == [due]
    with clock(due - SECOND):
        assert run_due_db_tasks() == []
    with clock(due):
        [ran] = run_due_db_tasks()
    assert ran.status == TaskResultStatus.SUCCESSFUL, ran.traceback
    assert Case.objects.get(pk=case.pk).deadline_status == DeadlineStatus.RED
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]


def test_r27_1_duplicated_or_missed_tasks_never_double_warn(world, t0, db_tasks):
    """The check runs twice (a duplicate), then the sweep runs after it: one notification
    per colour and recipient. A case whose amber task was lost goes straight to red."""
    case = dispatched(world, t0)
    DBTaskResult.objects.all().delete()  # only the checks enqueued below
    due = case.due_at
    amber = calendar.add_working_fraction(t0, due, 0.8)
    for _ in range(2):
        tasks.check_case_deadlines.using(run_after=amber).enqueue(case.pk)
    with clock(amber + HOUR):
        runs = run_due_db_tasks()
        assert services.sweep_deadlines() == {"cases": 1, "changes": 0}
    assert [r.status for r in runs] == [TaskResultStatus.SUCCESSFUL] * 2
    assert sorted(len(r.return_value) for r in runs) == [0, 2]  # the second found it done
    with clock(due + HOUR):
        tasks.check_case_deadlines.enqueue(case.pk)
        tasks.check_case_deadlines.enqueue(case.pk)
        run_due_db_tasks()
        call_command("sweep_deadlines", stdout=io.StringIO())
    assert notifications(case, "amber") == [("", world.police.pk), ("440703002", None)]
    assert notifications(case, "red") == [("", world.police.pk), ("440703002", None)]

    missed = dispatched(world, t0)
    DBTaskResult.objects.all().delete()  # its amber check is lost
    with clock(due + HOUR):
        tasks.check_case_deadlines.enqueue(missed.pk)
        run_due_db_tasks()
    assert notifications(missed, "amber") == []
    assert notifications(missed, "red") == [("", world.police.pk), ("440703002", None)]


def test_r27_1_a_check_of_a_case_that_is_gone_does_nothing(world, db_tasks):
    assert tasks.check_case_deadlines.call(987654321) == []


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
        mock.patch("gridgov.management.commands.run_worker.call_command") as command,
        mock.patch("cases.tasks.sweep_deadlines") as sweep,
    ):
        call_command("run_worker")
    command.assert_called_once_with(
        "rqworker", "default", job_class="django_tasks_rq.Job", with_scheduler=True, burst=False
    )
    sweep.enqueue.assert_called_once_with()  # catch up with checks missed while down


def test_run_worker_runs_the_database_worker(settings, db_tasks):
    with mock.patch("gridgov.management.commands.run_worker.call_command") as command:
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
