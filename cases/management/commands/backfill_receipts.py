"""Give the people of their audience the notifications written before the notification centre
existed (issue 10: 592 notifications nobody saw; R26.1, R27.1).

Each notification of the last ``--days`` days (default 30) is delivered to the current staff
of its agency, department or grid, as a new one would be. Idempotent: a person who already
has a notification does not get it twice, so the command can be run again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from cases.models import Notification
from cases.notify import channels
from gridgov.commands import GridgovCommand

BATCH = 500


class Command(GridgovCommand):
    help = "Deliver recent notifications to their audience's notification centres (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help="how far back (default 30)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1")
        since = timezone.now() - dt.timedelta(days=days)
        ids = list(
            Notification.objects.filter(created_at__gte=since)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        receipts = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                for notification in Notification.objects.filter(pk__in=ids[start : start + BATCH]):
                    receipts += channels.in_app.send(notification)
        self.stdout.write(f"{len(ids)} notifications, {receipts} receipts offered")
