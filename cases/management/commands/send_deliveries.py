"""Send every outside message (SMS) that is due and still pending (R18.1).

Each delivery has its own background job; this is the safety net for jobs that could not be
enqueued or were lost (run it from cron beside ``sweep_deadlines``). Idempotent: a delivery
already sent is never sent again.
"""

from __future__ import annotations

from typing import Any

from cases.notify import tasks
from gridgov.commands import GridgovCommand


class Command(GridgovCommand):
    help = "Send the pending SMS deliveries that are due (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = tasks.send_due()
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcome.items()))
        self.stdout.write(
            f"{sum(outcome.values())} deliveries due" + (f": {summary}" if summary else "")
        )
