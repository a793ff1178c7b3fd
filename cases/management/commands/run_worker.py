"""Run the background worker of the configured task backend (``make demo`` starts it).

- Database backend (the embedded default): ``db_worker``; tasks with ``run_after`` wait in
  the table until their time.
- RQ on Redis (production): ``rqworker`` with django-tasks-rq's job class, and with RQ's
  scheduler, without which a task enqueued with ``run_after`` (the deadline checks, R27.1)
  stays in the scheduled registry and never runs.

On start the worker first queues one deadline sweep, which catches up with any check missed
while no worker ran. Run ``manage.py sweep_deadlines`` from cron as the periodic safety net.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

RQ_JOB_CLASS = "django_tasks_rq.Job"


class Command(BaseCommand):
    help = "Run the background worker of the configured task backend (database or RQ)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the tasks that are due now, then exit (RQ: burst mode)",
        )
        parser.add_argument(
            "--no-sweep", action="store_true", help="do not queue a deadline sweep on start"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = settings.TASKS["default"]
        backend = config["BACKEND"]
        batch = options["batch"]
        if backend.startswith("django_tasks.backends"):
            self.stdout.write(f"tasks run in-process with {backend}; no worker needed")
            return
        if not options["no_sweep"]:
            from cases import tasks

            tasks.sweep_deadlines.enqueue()
        if backend.startswith("django_tasks_rq"):
            queues = list(config.get("QUEUES") or ["default"])
            call_command(
                "rqworker",
                *queues,
                job_class=RQ_JOB_CLASS,
                with_scheduler=True,
                burst=batch,
            )
        elif backend.startswith("django_tasks_db"):
            call_command("db_worker", interval=2, reload=False, batch=batch)
        else:
            self.stderr.write(f"no worker known for {backend}")
