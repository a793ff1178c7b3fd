"""What a split, merge or redraw does to what lies in the grids (R8.1 动态调整, R10.2).

A change replaces some grid rows by successors. Whatever the higher apps keep per grid code —
the workers' assignments (``people``), the open cases (``cases``) — has to follow: a case to the
successor that contains its point, a worker to the successor the administrator chose (by
default the one holding most of the old grid's area). ``regions`` does not import those apps
(the stack only imports downward); it describes the change as a :class:`Succession` and sends
two signals the higher apps listen to:

- :data:`grid_change_preview` before anything is written (the change form's preview, and the
  API's ``change-preview``): each receiver returns a dict of what it would do, merged into the
  preview the administrator confirms;
- :data:`grids_succeeded` inside the change's transaction, after the new rows exist: each
  receiver carries its rows over, or raises a ``DomainError`` (HTTP 400) to refuse the whole
  change, e.g. when a successor would be left without a leader and that was not accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.dispatch import Signal
from django.utils.translation import gettext
from shapely.geometry.base import BaseGeometry

from gridgov.errors import DomainError
from regions import coverage
from regions import geometry as geo
from regions.models import Grid, GridChange

# What the administrator may give instead of a successor code: the worker's assignment ends.
END_ASSIGNMENT = "end"

grid_change_preview = Signal()
"""Sent with ``succession`` (changes nothing); a receiver returns a dict for the preview."""

grids_succeeded = Signal()
"""Sent with ``succession`` inside the change's transaction, after the new rows exist."""


@dataclass(frozen=True)
class Successor:
    """A grid the change leaves current: a new code, or a redrawn grid's new version."""

    code: str
    name: str
    geometry: BaseGeometry | None
    grid: Grid | None = None  # the stored row; None in a preview

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


@dataclass
class Succession:
    """One grid change as the higher apps see it.

    ``old`` are the rows the change retires (for a redraw, the old versions of codes that stay
    current); ``successors`` the grids it leaves in their place. ``worker_destinations`` maps
    an active assignment's id to the successor code its worker moves to (or
    :data:`END_ASSIGNMENT`); ``accepted_vacancies`` are successor codes the administrator
    accepts to leave without a leader (R10.2).
    """

    kind: str
    actor: Any
    reason: str
    role: str
    old: list[Grid]
    successors: list[Successor]
    worker_destinations: dict[int, str] = field(default_factory=dict)
    accepted_vacancies: frozenset[str] = frozenset()
    change: GridChange | None = None  # None in a preview

    @property
    def is_preview(self) -> bool:
        return self.change is None

    @property
    def old_codes(self) -> list[str]:
        return [g.code for g in self.old]

    @property
    def successor_codes(self) -> list[str]:
        return [s.code for s in self.successors]

    @property
    def retired_codes(self) -> list[str]:
        """Codes that stop being current (a split's or a merge's old grids)."""
        keep = set(self.successor_codes)
        return [c for c in self.old_codes if c not in keep]

    def successor(self, code: str) -> Successor | None:
        return next((s for s in self.successors if s.code == code), None)

    def shares(self) -> dict[str, dict[str, float]]:
        """Old code → successor code → m² of the old grid that lies in that successor."""
        cached = self.__dict__.get("_shares")
        if cached is None:
            tolerance = coverage.default_tolerance()
            cached = {}
            for old in self.old:
                row: dict[str, float] = {}
                for successor in self.successors:
                    if old.geometry is None or successor.geometry is None:
                        continue
                    area = geo.geodesic_area_m2(old.geometry.intersection(successor.geometry))
                    if area > tolerance:
                        row[successor.code] = area
                cached[old.code] = row
            self.__dict__["_shares"] = cached
        return cached

    def default_successor(self, old_code: str) -> str:
        """The successor holding most of the old grid's area (R8.1): where its workers go,
        and its cases without a point in any successor. A redrawn grid's own code wins
        ties; a grid without a polygon goes to the first successor."""
        row = self.shares().get(old_code, {})
        if not row:
            return old_code if old_code in self.successor_codes else self.successors[0].code
        best = max(row.values())
        if row.get(old_code) == best:
            return old_code
        return next(c for c in self.successor_codes if row.get(c) == best)

    def predecessors(self, successor_code: str) -> list[str]:
        """The old codes with some of their area in this successor."""
        return [old for old, row in self.shares().items() if successor_code in row]

    def locate(self, lngs: Sequence[float], lats: Sequence[float]) -> list[str | None]:
        """The successor code covering each point (border points count), or None."""
        found: list[str | None] = [None] * len(lngs)
        if not len(lngs):
            return found
        xs, ys = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
        for successor in self.successors:
            if successor.geometry is None:
                continue
            hits = shapely.intersects_xy(successor.geometry, xs, ys)
            for i in np.flatnonzero(hits):
                if found[i] is None:
                    found[i] = successor.code
        return found

    def destination_of_assignment(self, assignment_id: int, grid_code: str) -> str:
        """Where the administrator sends an assignment's worker (default: most of the area)."""
        return self.worker_destinations.get(assignment_id) or self.default_successor(grid_code)


def clean_destinations(
    successors: Sequence[Successor], destinations: Any, accepted: Any
) -> tuple[dict[int, str], frozenset[str]]:
    """Parse the change form's choices: ``{assignment id: successor code | "end"}`` and a list
    of successor codes accepted as vacant. Anything else is a 400 naming the field."""
    codes = {s.code for s in successors}
    parsed: dict[int, str] = {}
    if destinations in (None, ""):
        destinations = {}
    if not isinstance(destinations, dict):
        raise DomainError(
            gettext("workers must map assignment ids to successor grid codes"), field="workers"
        )
    for key, value in destinations.items():
        key_text = str(key).strip()
        if not (key_text.isascii() and key_text.isdigit()) or len(key_text) > 12:
            raise DomainError(
                gettext("workers: %(key)r is not an assignment id") % {"key": key_text[:20]},
                field="workers",
            )
        value_text = str(value or "").strip()
        if value_text != END_ASSIGNMENT and value_text not in codes:
            raise DomainError(
                gettext("workers: %(value)s is not one of the grids this change leaves: %(codes)s")
                % {"value": value_text[:20] or "-", "codes": ", ".join(sorted(codes))},
                field="workers",
                code="not_a_successor",
            )
        parsed[int(key_text)] = value_text
    if accepted in (None, ""):
        accepted = []
    if not isinstance(accepted, list | tuple | set | frozenset):
        raise DomainError(
            gettext("accept_vacant must be a list of grid codes"), field="accept_vacant"
        )
    accepted_codes = {str(c).strip() for c in accepted}
    unknown = sorted(accepted_codes - codes)
    if unknown:
        raise DomainError(
            gettext("accept_vacant: %(codes)s are not grids this change leaves")
            % {"codes": ", ".join(c[:20] for c in unknown[:5])},
            field="accept_vacant",
            code="not_a_successor",
        )
    return parsed, frozenset(accepted_codes)


def preview(succession: Succession) -> dict[str, Any]:
    """What the change would do, as the higher apps tell it; nothing is written."""
    body: dict[str, Any] = {
        "kind": succession.kind,
        "retired": succession.retired_codes,
        "successors": [
            {
                **s.as_dict(),
                "area_m2": round(geo.geodesic_area_m2(s.geometry), 1) if s.geometry else None,
                "predecessors": succession.predecessors(s.code),
            }
            for s in succession.successors
        ],
        "default_successor": {
            code: succession.default_successor(code) for code in succession.old_codes
        },
    }
    for _receiver, answer in grid_change_preview.send(sender=Succession, succession=succession):
        if answer:
            body.update(answer)
    return body


def apply(succession: Succession) -> None:
    """Carry people and cases over (inside the change's transaction; a refusal rolls it back)."""
    grids_succeeded.send(sender=Succession, succession=succession)


def current_successors(code: str, *, limit: int = 100) -> list[Grid]:
    """The current grids that now cover a retired code's ground (R8.4: a retired grid's public
    page and QR code say "now part of …"), following later splits and merges; empty for a
    code that is current or unknown."""
    if Grid.objects.current().filter(code=code).exists():
        return []
    last = Grid.objects.filter(code=code).order_by("-version").first()
    frontier = [last] if last is not None else []
    found: dict[str, Grid] = {}
    seen: set[int] = set()
    while frontier and len(seen) < limit:
        row = frontier.pop()
        if row.pk in seen or row.retired_by_change_id is None:
            continue
        seen.add(row.pk)
        for new in Grid.objects.filter(created_by_change_id=row.retired_by_change_id).order_by(
            "code"
        ):
            if row.geometry is not None and new.geometry is not None:
                shared = geo.geodesic_area_m2(row.geometry.intersection(new.geometry))
                if shared <= coverage.default_tolerance():
                    continue  # another grid of the same change
            if new.is_current:
                found.setdefault(new.code, new)
            else:
                frontier.append(new)
    return sorted(found.values(), key=lambda g: g.code)
