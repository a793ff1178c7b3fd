"""Base for our management commands: audit context, and refusals as one line + exit 1."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridgov.context import acting
from gridgov.errors import DomainError


class GridgovCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        with acting(channel="command"):
            try:
                return super().execute(*args, **options)
            except DomainError as exc:
                for line in getattr(exc, "problems", []):
                    self.stderr.write(f"  {line}")
                raise CommandError(exc.message) from exc

    def progress(self, done: int, total: int, label: str) -> None:
        """One line per item for short runs, every 5 % for long ones."""
        if total <= 50 or done == total or done % max(1, total // 20) == 0:
            self.stderr.write(f"[{done}/{total}] {label}")
