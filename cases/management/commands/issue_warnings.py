"""Issue 警示 to departments late on at least N assignments in a period (R27.1).

manage.py issue_warnings --region 440703 --from 2026-01-01 --to 2026-03-31 [--threshold 3]

Acts as the system; issuing twice for the same period warns nobody twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from cases import services
from gridgov.commands import GridgovCommand
from gridgov.errors import DomainError


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"--{field}: {value!r} is not a date like 2026-01-31"
        raise DomainError(message, field=field) from None


class Command(GridgovCommand):
    help = "Warn departments late on at least --threshold assignments due in the period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="region code, e.g. 440703")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--threshold", type=int, default=3, help="late assignments (3)")

    def handle(self, *args: Any, **options: Any) -> None:
        issued = services.issue_warnings(
            None,
            region_code=options["region"],
            period_start=_date(options["start"], "from"),
            period_end=_date(options["end"], "to"),
            threshold=options["threshold"],
        )
        for warning in issued:
            self.stdout.write(f"warned {warning.department.name}: {warning.reason}")
        self.stdout.write(f"{len(issued)} warnings issued")
