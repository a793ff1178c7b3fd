"""The Jiangmen demo, step by step. Each app contributes a module with ``load() -> str`` (a
one-line summary) and, optionally, ``info() -> list[str]`` (lines for ``make demo`` to print,
such as logins). A step runs once per version; bump the version to reload it.

Steps run in this order; later steps may rely on earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

DATA_DIR = Path(__file__).resolve().parent / "data" / "jiangmen"
CITY_CODE = "4407"


@dataclass(frozen=True)
class Step:
    name: str
    version: int
    module: str

    def load_module(self) -> ModuleType:
        return import_module(self.module)


STEPS: list[Step] = [
    Step("regions", 1, "demo.regions"),
    Step("people", 1, "demo.people"),
    Step("workdays", 2, "demo.workdays"),
    Step("matters", 1, "demo.matters"),
    Step("cases", 1, "demo.cases"),
    Step("registry", 1, "demo.registry"),
]
