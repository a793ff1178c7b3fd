"""Recompute the hash chains of the electronic archive (R26.1, R26.2).

Exits non-zero naming the first broken link (case, event, reason) when a row was altered or
removed directly in the database; otherwise prints ``N cases, M events: intact``.

``--file EXPORT.json`` verifies an exported case file on its own, without the database (the
file's chain, head, case and attachments: docs/archive.md); it prints
``case N (CODE): M events, K attachments: intact`` or exits non-zero naming the first problem.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from cases import chain
from gridgov.commands import GridgovCommand
from gridgov.errors import DomainError


class Command(GridgovCommand):
    help = (
        "Verify the archive's hash chains (all cases, or one with --case), or an exported "
        "case file with --file (no database needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--case", type=int, help="the id of one case to verify")
        target.add_argument(
            "--file", help="an exported case file (export.json) to verify on its own"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["file"]:
            self.verify_file(options["file"])
            return
        from cases import archive
        from cases.models import Case, CaseEvent

        case_id = options["case"]
        cases = Case.objects.all()
        if case_id is not None:
            if not cases.filter(pk=case_id).exists():
                raise DomainError(f"no case with id {case_id}", field="case")
            cases = cases.filter(pk=case_id)
        ids = None if case_id is None else [case_id]
        breaks = list(archive.verify(ids))
        self.fail_on(breaks)
        n_cases = cases.count()
        n_events = CaseEvent.objects.filter(case__in=cases).count()
        self.stdout.write(f"{n_cases} cases, {n_events} events: intact")

    def verify_file(self, path: str) -> None:
        try:
            data, breaks = chain.verify_file(path)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.fail_on(breaks)
        self.stdout.write(chain.summary(data))

    def fail_on(self, breaks: list[chain.Break]) -> None:
        if breaks:
            for broken in breaks[1:]:
                self.stderr.write(f"also broken: {broken}")
            raise CommandError(f"archive chain broken: {breaks[0]}")
