"""Who staffs the grids: a question regions' pages ask and the people app answers (R8.4, R10).

``regions`` sits below ``people`` in the app stack (docs/architecture.md) and may not import it,
yet its pages show who works in a grid: the staff region pages mark vacant grids, the staff grid
page lists its workers, the public grid page discloses names and work phones. The people app
registers its answers here at start-up (``people.apps``); without them the pages show no one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from regions.models import Grid


@dataclass(frozen=True)
class GridStaff:
    """The workers of one grid as a staff user may see them, and whether it has a leader."""

    workers: Sequence[Any]  # for the template: .worker (name, work_phone), kind, started_on
    has_leader: bool


@dataclass(frozen=True)
class Staffing:
    """The people app's answers (R10–R11)."""

    # Current grids in the user's jurisdiction with no active leader (R10.2).
    vacant_grids: Callable[[Any], QuerySet[Grid]]
    # The grid's active workers the user may see (staff grid page).
    grid_workers: Callable[[Any, str], GridStaff]
    # What the public may know about the grid's people (R8.4): workers, supervision phone.
    disclosure: Callable[[Grid], Any]


_staffing: Staffing | None = None


def register(staffing: Staffing) -> None:
    global _staffing
    _staffing = staffing


def vacant_grids(user: Any) -> QuerySet[Grid]:
    if _staffing is None:
        return Grid.objects.none()
    return _staffing.vacant_grids(user)


def grid_workers(user: Any, code: str) -> GridStaff:
    if _staffing is None:
        return GridStaff(workers=(), has_leader=False)
    return _staffing.grid_workers(user, code)


def disclosure(grid: Grid) -> Any:
    return None if _staffing is None else _staffing.disclosure(grid)
