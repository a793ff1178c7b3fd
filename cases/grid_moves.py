"""Open cases follow a split, merge or redraw of their grid (R8.1 动态调整).

Cases are scoped by the grid code they store, so a case left on a retired code is out of
reach of the workers who now serve the place. When grids change, each open case of the
changed grids moves to the successor that contains its point; a case whose point lies in no
successor (reported on a border the change moved, or before the grids were drawn as they are)
goes to the successor holding most of its old grid's area, and the preview says how many.
Closed cases keep the grid they were handled in (history).

Each move is one archive event (``regrid``, hash-chained like every step, R26.2) and one audit
record, written in batches: a grid may hold thousands of open cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone

from audit import services as audit
from audit.models import AuditRecord
from cases import archive
from cases.actions import CaseAction
from cases.models import OPEN_STATES, Case, CaseEvent
from regions import succession as grid_succession
from regions.succession import Succession

BATCH = 2000
REGRID = "regrid"
_LOADED = ("pk", "tracking_code", "state", "grid", "grid_code", "lng", "lat", "archive_seq",
           "archive_head", "updated_at")  # fmt: skip


@dataclass(frozen=True)
class Move:
    case_id: int
    from_code: str
    to_code: str
    by_point: bool  # False: the point lies in no successor (most of the old area decides)


def open_cases(succession: Succession) -> QuerySet[Case]:
    return Case.objects.filter(grid_code__in=succession.old_codes, state__in=OPEN_STATES)


def _batches(rows: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    while batch := list(islice(rows, size)):
        yield batch


def _moves(succession: Succession, rows: list[tuple[int, str, float, float]]) -> list[Move]:
    """Where each (id, grid code, lng, lat) goes; cases that stay in their code included."""
    located = succession.locate([r[2] for r in rows], [r[3] for r in rows])
    moves = []
    for (pk, code, _lng, _lat), found in zip(rows, located, strict=True):
        target = found or succession.default_successor(code)
        moves.append(Move(pk, code, target, found is not None))
    return moves


@receiver(grid_succession.grid_change_preview, dispatch_uid="cases.grid_moves.preview")
def preview(sender: Any, succession: Succession, **kwargs: Any) -> dict[str, Any]:
    """How many open cases the change moves, and where (nothing is written)."""
    by_successor = {code: {"moving": 0, "without_point": 0} for code in succession.successor_codes}
    total = moving = without_point = 0
    rows = (
        open_cases(succession)
        .order_by("pk")
        .values_list("pk", "grid_code", "lng", "lat")
        .iterator(chunk_size=BATCH)
    )
    for batch in _batches(rows):
        for move in _moves(succession, batch):
            total += 1
            if move.to_code == move.from_code:
                continue
            moving += 1
            by_successor[move.to_code]["moving"] += 1
            if not move.by_point:
                without_point += 1
                by_successor[move.to_code]["without_point"] += 1
    return {
        "cases": {
            "open": total,
            "moving": moving,
            "staying": total - moving,
            "without_point": without_point,
            "by_successor": by_successor,
        }
    }


@receiver(grid_succession.grids_succeeded, dispatch_uid="cases.grid_moves.move")
def move_open_cases(sender: Any, succession: Succession, **kwargs: Any) -> int:
    """Move the open cases of the changed grids to their successors, inside the change's
    transaction; the number moved."""
    rows_by_code = {s.code: s.grid for s in succession.successors}
    change = succession.change
    now = timezone.now()
    moved = 0
    # The ids first (a list of integers even for a large grid): the batches below write to
    # the same table, which an open cursor over it should not see.
    ids = list(open_cases(succession).order_by("pk").values_list("pk", flat=True))
    for id_batch in _batches(iter(ids)):
        # Locked like every step of a case: the archive head each event follows must not move.
        cases = {
            c.pk: c
            for c in Case.objects.select_for_update()
            .filter(pk__in=id_batch, state__in=OPEN_STATES)
            .only(*_LOADED)
        }
        rows = [(c.pk, c.grid_code, c.lng, c.lat) for c in cases.values()]
        events: list[CaseEvent] = []
        records: list[AuditRecord] = []
        changed: list[Case] = []
        for move in _moves(succession, rows):
            if move.to_code == move.from_code:
                continue
            case = cases[move.case_id]
            target = rows_by_code[move.to_code]
            case.grid_id, case.grid_code, case.updated_at = target.pk, move.to_code, now
            event = archive.next_event(
                case,
                action=REGRID,
                actor=succession.actor,
                role=succession.role,
                from_state=case.state,
                to_state=case.state,
                note=succession.reason,
                data={
                    "from_grid": move.from_code,
                    "to_grid": move.to_code,
                    "by_point": move.by_point,
                    "grid_change": change.pk if change else None,
                    "change_kind": succession.kind,
                },
                at=now,
            )
            events.append(event)
            records.append(
                audit.new_record(
                    succession.actor,
                    CaseAction.REGRID,
                    case,
                    before={"grid": move.from_code},
                    after={"grid": move.to_code, "by_point": move.by_point, "event": event.seq},
                    region_code=move.to_code,
                    role=succession.role,
                    note=succession.reason[:500],
                )
            )
            changed.append(case)
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)
        AuditRecord.objects.bulk_create(records, batch_size=BATCH)
        Case.objects.bulk_update(
            changed,
            ["grid", "grid_code", "archive_seq", "archive_head", "updated_at"],
            batch_size=500,
        )
        moved += len(changed)
    return moved
