"""Moving people between grids by hand (R10.1, R10.2): the services behind the grid's staff
page that :mod:`people.services` did not have yet. Each composes the existing services in one
transaction (so the rules of :func:`people.services.assign_worker` hold and every step is
audited), and a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.errors import DomainError
from people import services
from people.models import GridAssignment, GridWorker, WorkerKind


@transaction.atomic
def move_assignment(
    actor: Any,
    assignment: GridAssignment,
    grid_code: str,
    *,
    reason: str,
    replace_leader: bool = False,
) -> GridAssignment:
    """Move a worker from one grid to another: the assignment ends and a new one starts on
    ``grid_code`` (one leader per grid and a leader from the village, R10.2; at most two grids
    for a professional, R10.3)."""
    assignment = GridAssignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise DomainError(_("该分配已结束"), field="assignment", code="ended")
    grid_code = str(grid_code or "").strip()
    if grid_code == assignment.grid_code:
        raise DomainError(_("已在该网格"), field="grid_code", code="same_grid")
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(_("请填写调整原因"), field="reason", code="required")
    services.end_assignment(
        actor,
        assignment,
        reason=_("调至 %(grid)s:%(reason)s") % {"grid": grid_code, "reason": reason},
    )
    return services.assign_worker(
        actor, assignment.worker, grid_code, replace_leader=replace_leader
    )


@transaction.atomic
def appoint_leader(
    actor: Any,
    worker: GridWorker,
    grid_code: str,
    *,
    reason: str,
    replace_leader: bool = False,
) -> GridAssignment:
    """Make a worker the grid's leader (R10.2): a worker of another kind becomes a leader
    first (their assignments end with the old kind), then leads ``grid_code``; a sitting
    leader's assignment ends only with ``replace_leader``. The leader must come from the
    grid's village and be a party member."""
    if worker.kind != WorkerKind.LEADER:
        services.change_worker_kind(actor, worker, WorkerKind.LEADER, reason=reason)
        worker.refresh_from_db()
    return services.assign_worker(actor, worker, grid_code, replace_leader=replace_leader)
