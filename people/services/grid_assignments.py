"""Assigning grid workers to grids (R10.1–R10.3) and ending assignments, also when the grids
change under them (R8.1 动态调整)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, NotFound
from gridgov.text import clean_text
from people.actions import PeopleAction
from people.models import (
    PROFESSIONAL_MAX_GRIDS,
    GridAssignment,
    GridWorker,
    WorkerKind,
    WorkerStatus,
)
from people.services.common import (
    DateInput,
    actor_user,
    clean_date,
    conflict_error,
    lock_worker,
    not_future,
    worker_roles_changed,
)
from regions.models import Grid

ASSIGNMENT_FIELDS = ["worker", "grid_code", "kind", "started_on", "ended_on", "end_reason"]


def end_assignments(
    actor: Actor,
    assignments: Iterable[GridAssignment],
    day: dt.date,
    reason: str,
    *,
    role: str = "",
) -> list[GridAssignment]:
    """End grid workers' assignments on ``day``, each audited (R10–R13, R28.1); the step of the
    caller's transaction that ends them (a successor, a leave, a grid change)."""
    ended = []
    for assignment in assignments:
        audit.audited_update(
            actor,
            PeopleAction.ASSIGNMENT_END,
            assignment,
            {"ended_on": max(day, assignment.started_on), "end_reason": reason[:200]},
            fields=ASSIGNMENT_FIELDS,
            region_code=assignment.grid_code,
            note=reason,
            role=role,
        )
        ended.append(assignment)
    return ended


ASSIGNMENT_CONSTRAINTS = {
    "grid_assignment_one_active_leader": ("grid_code", gettext_lazy("该网格已有在任网格长")),
    "grid_assignment_once_per_grid": ("grid_code", gettext_lazy("该网格员已分配到此网格")),
}


@transaction.atomic
def assign_worker(
    actor: Actor,
    worker: GridWorker,
    grid_code: str,
    *,
    started_on: DateInput = None,
    replace_leader: bool = False,
) -> GridAssignment:
    """Assign a worker to a current grid (R10.1) under the invariants of R10.2 and R10.3.

    - one active leader per grid; ``replace_leader`` ends the sitting leader's assignment;
    - a leader comes from the grid's village/community and is a party member;
    - a professional worker serves at most two grids.
    Idempotent: assigning a worker to a grid they already serve returns that assignment.
    """
    worker = lock_worker(worker)
    grid_code = str(grid_code or "").strip()
    grid = Grid.objects.current().filter(code=grid_code).select_related("village").first()
    if grid is None:
        raise DomainError(
            _("没有编码为 %(code)s 的现行网格") % {"code": grid_code or "-"},
            field="grid_code",
            code="unknown_grid",
        )
    grant = scoping.require(actor, R.WORKER_MANAGERS, region_code=grid.code, what=_("分配网格员"))
    if not scoping.is_system(actor) and not scoping.in_scope(actor, worker):
        raise NotFound(_("网格员不存在或不在管辖范围内"), field="worker")
    if worker.status != WorkerStatus.ACTIVE:
        raise DomainError(_("该网格员已退出,不能分配"), field="worker", code="exited")
    existing = worker.assignments.active().filter(grid_code=grid.code).first()
    if existing is not None:
        return existing
    day = not_future(
        clean_date(started_on, "started_on", default=timezone.localdate()), "started_on"
    )
    if worker.kind == WorkerKind.LEADER:
        if worker.village is None or worker.village.code != grid.village.code:
            raise DomainError(
                _("网格长须来自网格所在的村(社区)%(village)s(R10.2)")
                % {"village": grid.village.name},
                field="worker",
                code="leader_village",
            )
        if not worker.is_party_member:
            raise DomainError(
                _("网格长须为党员(R10.2)"), field="worker", code="leader_party_member"
            )
        sitting = (
            GridAssignment.objects.select_for_update(of=("self",))
            .filter(grid_code=grid.code, kind=WorkerKind.LEADER, ended_on__isnull=True)
            .select_related("worker")
            .first()
        )
        if sitting is not None:
            if not replace_leader:
                raise DomainError(
                    _("网格 %(grid)s 已有网格长 %(name)s;如需更换,请选择“接任”")
                    % {"grid": grid.code, "name": sitting.worker.name},
                    field="grid_code",
                    code="leader_exists",
                )
            end_assignments(actor, [sitting], day, _("由 %(name)s 接任") % {"name": worker.name})
            worker_roles_changed(sitting.worker)
    if worker.kind == WorkerKind.PROFESSIONAL:
        serving = list(worker.assignments.active().values_list("grid_code", flat=True))
        if len(serving) >= PROFESSIONAL_MAX_GRIDS:
            raise DomainError(
                _("专业网格员最多服务两个网格(R10.3),已服务:%(grids)s")
                % {"grids": pgettext("list separator", "、").join(serving)},
                field="grid_code",
                code="professional_limit",
            )
    try:
        with transaction.atomic():
            assignment = GridAssignment.objects.create(
                worker=worker,
                grid_code=grid.code,
                kind=worker.kind,
                started_on=day,
                assigned_by=actor_user(actor),
            )
    except IntegrityError as exc:
        raise conflict_error(exc, ASSIGNMENT_CONSTRAINTS) from exc
    audit.record_created(
        actor,
        PeopleAction.ASSIGNMENT_CREATE,
        assignment,
        ASSIGNMENT_FIELDS,
        region_code=grid.code,
        grant=grant,
    )
    worker_roles_changed(worker)
    return assignment


@transaction.atomic
def end_assignment(
    actor: Actor, assignment: GridAssignment, *, ended_on: DateInput = None, reason: str
) -> GridAssignment:
    assignment = (
        GridAssignment.objects.select_for_update(of=("self",))
        .select_related("worker__user")
        .get(pk=assignment.pk)
    )
    grant = scoping.require(
        actor, R.WORKER_MANAGERS, region_code=assignment.grid_code, what=_("结束网格分配")
    )
    reason = clean_text(reason, "reason", required=True)
    if assignment.ended_on is not None:
        return assignment
    day = clean_date(ended_on, "ended_on", default=timezone.localdate())
    if day < assignment.started_on:
        raise DomainError(_("结束日期不能早于起始日期"), field="ended_on", code="invalid_span")
    end_assignments(actor, [assignment], day, reason, role=scoping.acting_role(actor, grant))
    worker_roles_changed(assignment.worker)
    return assignment


@transaction.atomic
def follow_grid_change(
    actor: Actor, *, reason: str = "", codes: Iterable[str] | None = None
) -> list[GridAssignment]:
    """End active assignments to grid codes that no longer have a current grid.

    A redraw keeps the code, so its assignments simply follow. A split or merge carries the
    assignments of the codes it retires to their successors (``people.grid_changes``); this
    repairs what was left behind otherwise (grids retired before that, or by hand).
    """
    current = Grid.objects.current().values("code")
    orphaned = GridAssignment.objects.active()
    if codes is not None:  # only the codes a change retired, not the whole database
        orphaned = orphaned.filter(grid_code__in=list(codes))
    orphaned = (
        orphaned.exclude(grid_code__in=current)
        .select_for_update(of=("self",))
        .select_related("worker__user")
    )
    ended = end_assignments(
        actor,
        list(orphaned),
        timezone.localdate(),
        reason or _("网格已撤销(拆分或合并)"),
    )
    for assignment in ended:
        worker_roles_changed(assignment.worker)
    return ended
