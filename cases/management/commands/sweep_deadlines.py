"""Re-check the deadlines of every open case (R24.2, R24.3, R27.1).

The background checks scheduled at each case's amber moment and deadline do this case by case;
this sweep is the safety net for checks that were lost (run it from cron). It is idempotent: a
second run changes nothing and notifies nobody again.
"""

from __future__ import annotations

from typing import Any

from cases import clock
from gridgov.commands import GridgovCommand


class Command(GridgovCommand):
    help = "Re-check amber/red deadlines of every open case (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = clock.sweep_deadlines()
        self.stdout.write(f"{counts['cases']} open cases checked, {counts['changes']} changes")
