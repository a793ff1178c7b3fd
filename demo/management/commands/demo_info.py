from __future__ import annotations

from typing import Any

from demo.loader import demo_info
from gridgov.commands import GridgovCommand


class Command(GridgovCommand):
    help = "Print the demo's addresses and logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["url"].rstrip("/")
        lines = [
            "",
            "gridgov demo (江门市) is starting:",
            f"  web             {url}/",
            f"  grid disclosure {url}/public/grids/",
            f"  API docs        {url}/api/docs/",
            f"  admin           {url}/admin/",
            *demo_info(),
            "",
        ]
        self.stdout.write("\n".join(lines))
