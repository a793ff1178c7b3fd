"""Recompute the hash chains of the electronic archive (R26.1, R26.2).

Exits non-zero naming the first broken link (case, event, reason) when a row was altered or
removed directly in the database; otherwise prints ``N cases, M events: intact``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from cases import archive
from cases.models import Case, CaseEvent
from gridgov.commands import GridgovCommand
from gridgov.errors import DomainError


class Command(GridgovCommand):
    help = "Verify the archive's hash chains (all cases, or one with --case)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", type=int, help="the id of one case to verify")

    def handle(self, *args: Any, **options: Any) -> None:
        case_id = options["case"]
        cases = Case.objects.all()
        if case_id is not None:
            if not cases.filter(pk=case_id).exists():
                raise DomainError(f"no case with id {case_id}", field="case")
            cases = cases.filter(pk=case_id)
        ids = None if case_id is None else [case_id]
        breaks = list(archive.verify(ids))
        if breaks:
            for broken in breaks[1:]:
                self.stderr.write(f"also broken: {broken}")
            raise CommandError(f"archive chain broken: {breaks[0]}")
        n_cases = cases.count()
        n_events = CaseEvent.objects.filter(case__in=cases).count()
        self.stdout.write(f"{n_cases} cases, {n_events} events: intact")
