"""Workers follow a split, merge or redraw of their grid (R8.1 动态调整, R10.2, R10.3).

Assignments point at grid codes (ADR 0003). A redraw keeps the codes, so its workers stay; a
split or merge retires codes, and each active assignment on a retired code is carried to a
successor: the one the administrator chose in the change form, by default the one holding
most of the old grid's area (``regions.succession``). The old assignment ends, a new one
starts on the successor, both audited.

The rules of assignments still hold for carried workers: one leader per grid, a leader from
the grid's village and a party member (R10.2). (R10.3, a professional worker on at most two
grids, holds by construction: each assignment goes to one successor or ends, so nobody serves
more grids afterwards than before.) A successor left without a leader, where one of its
predecessors had one, must be accepted explicitly as vacant. Anything that would break is
refused with one 400 listing it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audit import services as audit
from gridgov.access import scoping
from gridgov.errors import DomainError
from people import services
from people.actions import PeopleAction
from people.models import GridAssignment, WorkerKind
from people.services.grid_assignments import ASSIGNMENT_FIELDS
from regions import succession as grid_succession
from regions.succession import END_ASSIGNMENT, Succession


@dataclass
class Carry:
    """One active assignment on a retired grid and where its worker goes."""

    assignment: GridAssignment
    default: str
    destination: str  # a successor code, or END_ASSIGNMENT

    def as_dict(self, succession: Succession) -> dict[str, Any]:
        worker = self.assignment.worker
        return {
            "assignment": self.assignment.pk,
            "worker": worker.pk,
            "name": worker.name,
            "kind": self.assignment.kind,
            "kind_label": str(WorkerKind(self.assignment.kind).label),
            "from_grid": self.assignment.grid_code,
            "default": self.default,
            "destination": self.destination,
            "choices": [*succession.successor_codes, END_ASSIGNMENT],
        }


@dataclass
class Outcome:
    carries: list[Carry]
    problems: list[dict[str, Any]]
    vacant: list[dict[str, Any]]  # successors without a leader afterwards

    @property
    def unaccepted(self) -> list[dict[str, Any]]:
        return [v for v in self.vacant if v["needs_acceptance"] and not v["accepted"]]


def _carries(succession: Succession) -> list[Carry]:
    retired = succession.retired_codes
    if not retired:
        return []
    rows = (
        GridAssignment.objects.active()
        .filter(grid_code__in=retired)
        .select_related("worker__village", "worker__user")
        .order_by("grid_code", "kind", "worker__name", "pk")
    )
    if not succession.is_preview:
        rows = rows.select_for_update(of=("self",))
    carries = []
    for assignment in rows:
        default = succession.default_successor(assignment.grid_code)
        carries.append(
            Carry(
                assignment,
                default,
                succession.destination_of_assignment(assignment.pk, assignment.grid_code),
            )
        )
    return carries


def _problem(code: str, grid: str, message: str) -> dict[str, Any]:
    return {"code": code, "grid": grid, "message": message}


def outcome(succession: Succession) -> Outcome:
    """Where each worker goes, what would break, which successors would have no leader."""
    carries = _carries(succession)
    problems: list[dict[str, Any]] = []
    successor_codes = succession.successor_codes
    # Leaders the successors keep (a redrawn grid's code stays) or receive.
    staying_leaders = dict(
        GridAssignment.objects.active()
        .filter(grid_code__in=successor_codes, kind=WorkerKind.LEADER)
        .values_list("grid_code", "worker__name")
    )
    leaders: dict[str, list[str]] = {c: [] for c in successor_codes}
    for code, name in staying_leaders.items():
        leaders[code].append(name)
    for carry in carries:
        worker = carry.assignment.worker
        target = carry.destination
        if target == END_ASSIGNMENT or carry.assignment.kind != WorkerKind.LEADER:
            continue
        leaders[target].append(worker.name)
        if worker.village is None or worker.village.code != target[:12]:
            problems.append(
                _problem(
                    "leader_village",
                    target,
                    _("%(name)s 不是网格 %(grid)s 所在村(社区)的人,不能任该网格网格长(R10.2)")
                    % {"name": worker.name, "grid": target},
                )
            )
        if not worker.is_party_member:
            problems.append(
                _problem(
                    "leader_party_member",
                    target,
                    _("%(name)s 不是党员,不能任网格 %(grid)s 的网格长(R10.2)")
                    % {"name": worker.name, "grid": target},
                )
            )
    separator = pgettext("list separator", "、")
    for code, names in leaders.items():
        if len(names) > 1:
            problems.append(
                _problem(
                    "two_leaders",
                    code,
                    _(
                        "网格 %(grid)s 将有 %(n)d 名网格长(%(names)s);每个网格只设一名网格长"
                        "(R10.2),请把其余网格长转入其他网格或结束其分配"
                    )
                    % {"grid": code, "n": len(names), "names": separator.join(names)},
                )
            )
    had_leader = set(
        GridAssignment.objects.active()
        .filter(grid_code__in=succession.old_codes, kind=WorkerKind.LEADER)
        .values_list("grid_code", flat=True)
    )
    vacant = []
    for successor in succession.successors:
        if leaders[successor.code]:
            continue
        # A code that stays (a redraw) keeps its people: its vacancy is not the change's.
        predecessors = succession.predecessors(successor.code)
        created = successor.code not in succession.old_codes
        vacant.append(
            {
                "code": successor.code,
                "name": successor.name,
                "needs_acceptance": created and any(c in had_leader for c in predecessors),
                "accepted": successor.code in succession.accepted_vacancies,
            }
        )
    return Outcome(carries, problems, vacant)


@receiver(grid_succession.grid_change_preview, dispatch_uid="people.grid_changes.preview")
def preview(sender: Any, succession: Succession, **kwargs: Any) -> dict[str, Any]:
    """The workers part of a change's preview (nothing is written)."""
    result = outcome(succession)
    return {
        "workers": [c.as_dict(succession) for c in result.carries],
        "vacant": result.vacant,
        "problems": result.problems,
    }


def _refusal(result: Outcome) -> DomainError:
    lines = [p["message"] for p in result.problems]
    for vacant in result.unaccepted:
        lines.append(
            _("网格 %(grid)s 将没有网格长:请指定网格长转入,或确认接受其暂时空缺(R10.2)")
            % {"grid": vacant["code"]}
        )
    return DomainError(
        _("网格调整会违反网格员配备规则:%(problems)s")
        % {"problems": pgettext("list separator", "；").join(lines)},
        field="workers",
        code="assignment_rules",
        extra={"problems": result.problems, "vacant": result.unaccepted},
    )


@receiver(grid_succession.grids_succeeded, dispatch_uid="people.grid_changes.carry")
def carry(sender: Any, succession: Succession, **kwargs: Any) -> list[GridAssignment]:
    """Carry the workers of retired grids to their successors, inside the change's
    transaction; refuse the whole change if a rule would break."""
    result = outcome(succession)
    if result.problems or result.unaccepted:
        raise _refusal(result)
    actor, role = succession.actor, succession.role
    today = timezone.localdate()
    change_label = succession.change.get_kind_display() if succession.change else ""
    created: list[GridAssignment] = []
    placed: set[tuple[int, str]] = set()
    for c in result.carries:
        old = c.assignment
        if c.destination == END_ASSIGNMENT:
            reason = _("网格%(change)s,分配结束") % {"change": change_label}
        else:
            reason = _("网格%(change)s,转入 %(grid)s") % {
                "change": change_label,
                "grid": c.destination,
            }
        services.end_assignments(actor, [old], today, reason, role=role)
        key = (old.worker_id, c.destination)
        if c.destination != END_ASSIGNMENT and key not in placed:
            # Two retired grids of one worker merged into one: one assignment there.
            placed.add(key)
            new = GridAssignment.objects.create(
                worker=old.worker,
                grid_code=c.destination,
                kind=old.kind,
                started_on=today,
                assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit.record(
                actor,
                PeopleAction.ASSIGNMENT_CARRY,
                new,
                before={"from": old.grid_code, "assignment": old.pk},
                after=audit.snapshot(new, ASSIGNMENT_FIELDS),
                region_code=new.grid_code,
                role=role,
                note=succession.reason,
            )
            created.append(new)
        if old.worker.user_id:
            scoping.forget_roles(old.worker.user)
    return created
