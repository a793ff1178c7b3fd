from __future__ import annotations

from typing import Any

from demo.loader import load_demo
from gridgov.commands import GridgovCommand


class Command(GridgovCommand):
    help = "Load the Jiangmen demo (idempotent: steps already loaded are skipped)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="reload every step")

    def handle(self, *args: Any, **options: Any) -> None:
        summaries = load_demo(force=options["force"], log=self.stdout.write)
        if not summaries:
            self.stdout.write("demo: already loaded, nothing to do")
