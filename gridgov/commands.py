"""Base for our management commands: audit context, and refusals as one line + exit 1.

A command declares its arguments as a table (``arguments``) and writes its report as lines
(``report``), so that each command holds only what is its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError

from gridgov.context import acting
from gridgov.errors import DomainError


@dataclass(frozen=True)
class Argument:
    """One command-line argument: what ``ArgumentParser.add_argument`` takes."""

    names: tuple[str, ...]
    options: dict[str, Any] = field(default_factory=dict)


def argument(*names: str, **options: Any) -> Argument:
    return Argument(names, options)


class GridgovCommand(BaseCommand):
    arguments: ClassVar[Sequence[Argument]] = ()

    def execute(self, *args: Any, **options: Any) -> str | None:
        with acting(channel="command"):
            try:
                return super().execute(*args, **options)
            except DomainError as exc:
                for line in getattr(exc, "problems", []):
                    self.stderr.write(f"  {line}")
                raise CommandError(exc.message) from exc

    def add_arguments(self, parser: Any) -> None:
        for arg in self.arguments:
            parser.add_argument(*arg.names, **arg.options)

    def handle(self, *args: Any, **options: Any) -> None:
        # Written as they come: a refusal raised after some lines still shows those lines.
        for line in self.report(**options):
            self.stdout.write(line)

    def report(self, **options: Any) -> Iterable[str]:
        """The command's work; yields the lines of its report (stdout)."""
        raise NotImplementedError("a command overrides handle() or report()")

    def progress(self, done: int, total: int, label: str) -> None:
        """One line per item for short runs, every 5 % for long ones."""
        if total <= 50 or done == total or done % max(1, total // 20) == 0:
            self.stderr.write(f"[{done}/{total}] {label}")
