from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker of the configured task backend (database or RQ)."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_rq"):
            call_command("rqworker", "default")
        elif backend.startswith("django_tasks_db"):
            call_command("db_worker", interval=2, reload=False)
        else:
            self.stdout.write(f"tasks run in-process with {backend}; no worker needed")
