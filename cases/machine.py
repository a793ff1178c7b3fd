"""The case state machine (R24–R27), the whole of it, top to bottom.

::

    intake (grid worker) ───────────────────────────────┐
    intake (resident, 12345 hotline) ──▶ reported ──verify──▶ verified ──accept──▶ accepted
                                            │  │                │  │                  │
                                            │  └──decline──┐    │  └──decline──▶ declined (final)
                                            │              ▼    │                     │
                                            └─settle──▶ closed ◀┘ settle (on the spot)│
                                                                                      ▼
     ┌──────────────────── dispatch (lead + co-departments, each with a deadline) ◀───┘
     ▼
    dispatched ──sign (lead)──▶ in_progress ──feedback (lead)──▶ handled ──check ok──▶ closed
     │                             │  ▲                             │                   │
     └──return (lead, R24.4)──┐    │  └──────── check fails (rework) ┘     evaluate (reporter)
                              ▼    └──return (lead)──┐                                  ▼
                           returned ◀────────────────┘                              evaluated
                              └── dispatch again (with a duty ruling when disputed) ──▶ dispatched

    review (agency)    : an unsatisfied rating is reviewed: reopen ──▶ in_progress (the lead
                         department handles it again) or confirm (stays evaluated), with a
                         reason (R18.1, R27.1)

    suspend (approved) : dispatched / in_progress ──▶ suspended ──resume──▶ where it was
    escalate           : reported / verified / accepted / returned stay put; the case moves
                         from the township agency to the county, county to city (R24.2)
    extend, supervise, answer, co-department sign/return/feedback: no change of case state
    end_assignment     : the agency ends a co-department's open part with a reason (R25.1);
                         no change of case state
    closing            : a case closes (check ok) only when no co-department's part is still
                         open: each one fed back, returned, or ended by the agency

Who may act is a *kind of actor* resolved against the case (:func:`authorize`):

- ``grid``: a grid worker (leader, full-time, part-time, professional) of the case's grid;
- ``agency``: an agency administrator or dispatcher of the agency holding the case
  (township by default; the county or city after escalation);
- ``supervisor``: an agency supervisor (or administrator) whose jurisdiction covers the case;
- ``department``: a handler or head of a department with a live assignment on the case
  (``department_lead``: of the lead department only);
- ``reporter``: the account that reported the case.

The services in :mod:`cases.services` call :func:`authorize` and then do the work; this module
has no side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    NEXT_LEVEL,
    AssignmentRole,
    AssignmentState,
    Case,
    RequestStatus,
    State,
)
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import DomainError, Forbidden

# --- actors ----------------------------------------------------------------------------------

GRID = "grid"
AGENCY = "agency"
SUPERVISOR = "supervisor"
DEPARTMENT = "department"
DEPARTMENT_LEAD = "department_lead"
REPORTER = "reporter"

AGENCY_ACTING_ROLES = frozenset({R.Role.AGENCY_ADMIN, R.Role.DISPATCHER})
SUPERVISING_ROLES = frozenset({R.Role.SUPERVISOR, R.Role.AGENCY_ADMIN})


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None  # None: no change of case state, or decided by the service
    actors: tuple[str, ...]
    requirement: str


def _s(*states: str) -> frozenset[str]:
    return frozenset(states)


PRE_DISPATCH = _s(State.REPORTED, State.VERIFIED, State.ACCEPTED, State.RETURNED)
WITH_DEPARTMENTS = _s(State.DISPATCHED, State.IN_PROGRESS)

# --- actions ---------------------------------------------------------------------------------

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "verify",
            gettext_lazy("核实"),
            _s(State.REPORTED),
            State.VERIFIED,
            (GRID, AGENCY),
            "R24.1",
        ),
        Action(
            "settle",
            gettext_lazy("现场处置"),
            _s(State.REPORTED, State.VERIFIED),
            State.CLOSED,
            (GRID,),
            "R24.1",
        ),
        Action(
            "accept", gettext_lazy("立案"), _s(State.VERIFIED), State.ACCEPTED, (AGENCY,), "R24.2"
        ),
        Action(
            "decline",
            gettext_lazy("不予立案"),
            _s(State.REPORTED, State.VERIFIED),
            State.DECLINED,
            (AGENCY,),
            "R24.2",
        ),
        Action("escalate", gettext_lazy("上报上级"), PRE_DISPATCH, None, (AGENCY,), "R24.2"),
        Action(
            "dispatch",
            gettext_lazy("派遣"),
            _s(State.ACCEPTED, State.RETURNED),
            State.DISPATCHED,
            (AGENCY,),
            "R24.2, R24.4, R25.1",
        ),
        Action(
            "sign",
            gettext_lazy("签收"),
            # a co-department may still take up its part after the lead fed back (R25.1)
            _s(*WITH_DEPARTMENTS, State.HANDLED),
            None,
            (DEPARTMENT,),
            "R24.3, R25.1",
        ),
        Action("return", gettext_lazy("退回"), WITH_DEPARTMENTS, None, (DEPARTMENT,), "R24.4"),
        Action(
            "feedback",
            gettext_lazy("反馈结果"),
            # a co-department may still report its part after the lead fed back (R25.1)
            _s(State.IN_PROGRESS, State.HANDLED),
            None,
            (DEPARTMENT,),
            "R24.3, R25.1",
        ),
        Action(
            "end_assignment",
            gettext_lazy("终止协办"),
            _s(*WITH_DEPARTMENTS, State.HANDLED, State.SUSPENDED),
            None,
            (AGENCY,),
            "R25.1, R27.1",
        ),
        Action("check", gettext_lazy("核查结案"), _s(State.HANDLED), None, (AGENCY, GRID), "R26.1"),
        Action(
            "evaluate",
            gettext_lazy("评价"),
            _s(State.CLOSED),
            State.EVALUATED,
            (REPORTER,),
            "R18.1, R27.1",
        ),
        Action(
            "review",
            gettext_lazy("复核评价"),
            _s(State.EVALUATED),
            None,  # reopen: in_progress; confirm: stays evaluated
            (AGENCY,),
            "R18.1, R27.1",
        ),
        Action("extend", gettext_lazy("申请延期"), WITH_DEPARTMENTS, None, (DEPARTMENT,), "R24.3"),
        Action(
            "decide_extension", gettext_lazy("审批延期"), WITH_DEPARTMENTS, None, (AGENCY,), "R24.3"
        ),
        Action(
            "suspend",
            gettext_lazy("申请挂起"),
            WITH_DEPARTMENTS,
            None,
            (DEPARTMENT_LEAD, AGENCY),
            "R24.3",
        ),
        Action(
            "decide_suspension",
            gettext_lazy("审批挂起"),
            WITH_DEPARTMENTS,
            None,
            (AGENCY,),
            "R24.3",
        ),
        Action("resume", gettext_lazy("恢复办理"), _s(State.SUSPENDED), None, (AGENCY,), "R24.3"),
        Action(
            "supervise",
            gettext_lazy("督办"),
            # a returned case waits on the agency, not on a department: nobody to urge
            _s(*WITH_DEPARTMENTS, State.HANDLED, State.SUSPENDED),
            None,
            (SUPERVISOR,),
            "R27.1",
        ),
        Action(
            "answer",
            gettext_lazy("答复督办"),
            _s(*WITH_DEPARTMENTS, State.HANDLED, State.SUSPENDED, State.RETURNED, State.CLOSED),
            None,
            (DEPARTMENT,),
            "R27.1",
        ),
    ]
}


# --- who is this actor, for this case? -------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """Why an actor may take an action: the kind of actor and the grant behind it."""

    kind: str
    grant: scoping.Grant | None
    department_id: int | None = None

    @property
    def role(self) -> str:
        if self.grant is not None:
            return self.grant.role
        return self.kind


def _grid_grant(user: Any, case: Case) -> scoping.Grant | None:
    for grant in scoping.grants_for(user, R.GRID_ROLES):
        if grant.covers(case.grid_code):
            return grant
    return None


def _agency_grant(user: Any, case: Case) -> scoping.Grant | None:
    # "The agency at the right level": the agency holding the case, not one above or below.
    for grant in scoping.grants_for(user, AGENCY_ACTING_ROLES):
        if grant.code == case.agency_code:
            return grant
    return None


def _supervisor_grant(user: Any, case: Case) -> scoping.Grant | None:
    for grant in scoping.grants_for(user, SUPERVISING_ROLES):
        if grant.covers(case.grid_code):
            return grant
    return None


def _department_grant(user: Any, case: Case, *, lead_only: bool) -> scoping.Grant | None:
    live = {
        a.department_id: a.role
        for a in case.assignments.all()
        if a.state in ACTIVE_ASSIGNMENT_STATES or a.state == "fed_back"
    }
    for grant in scoping.grants_for(user, R.DEPARTMENT_ROLES):
        if grant.department_id in live and (not lead_only or live[grant.department_id] == "lead"):
            return grant
    return None


def authority(user: Any, case: Case, kinds: Iterable[str]) -> Authority | None:
    """The first way ``user`` may act on ``case`` as one of ``kinds``, or None."""
    system = scoping.is_system(user) or scoping.is_unrestricted(user)
    for kind in kinds:
        if system:
            return Authority(kind, None)
        if kind == GRID and (grant := _grid_grant(user, case)):
            return Authority(kind, grant)
        if kind == AGENCY and (grant := _agency_grant(user, case)):
            return Authority(kind, grant)
        if kind == SUPERVISOR and (grant := _supervisor_grant(user, case)):
            return Authority(kind, grant)
        if kind in (DEPARTMENT, DEPARTMENT_LEAD) and (
            grant := _department_grant(user, case, lead_only=kind == DEPARTMENT_LEAD)
        ):
            return Authority(kind, grant, grant.department_id)
        if kind == REPORTER and case.reporter_id and getattr(user, "pk", None) == case.reporter_id:
            return Authority(kind, None)
    return None


def authorize(user: Any, case: Case, action_name: str) -> Authority:
    """Check state and actor for an action; raise 400 (wrong state) or 403 (not yours)."""
    action = ACTIONS[action_name]
    found = authority(user, case, action.actors)
    if found is None:
        raise Forbidden(
            _("无权对该事件执行“%(action)s”") % {"action": action.label},
            code="not_allowed",
        )
    if case.state not in action.sources:
        raise DomainError(
            _("事件处于“%(state)s”状态，不能%(action)s")
            % {"state": case.get_state_display(), "action": action.label},
            code="wrong_state",
            field="state",
        )
    return found


# --- what must hold before a case closes (R25.1) --------------------------------------------


def open_co_assignments(case: Case) -> list[Any]:
    """The co-departments' assignments still open (waiting to be signed or being handled)."""
    return [
        a
        for a in case.assignments.all()
        if a.role == AssignmentRole.CO and a.state in ACTIVE_ASSIGNMENT_STATES
    ]


def require_closable(case: Case) -> None:
    """A case closes only when every co-department has fed back its part (or returned it),
    or the agency has ended that part with a reason (R25.1): raise 400 naming the ones
    still open."""
    still_open = open_co_assignments(case)
    if still_open:
        names = pgettext("list separator", "、").join(a.department.name for a in still_open)
        raise DomainError(
            _("协办部门 %(names)s 尚未反馈:请等待其反馈,或终止其协办并写明理由,再结案")
            % {"names": names},
            code="co_departments_open",
            field="assignments",
            extra={"assignments": [a.pk for a in still_open]},
        )


# --- what else must hold for an action to succeed (for available_actions) -------------------
# The services check these too, with their own messages; here they only keep the UI from
# offering an action the service would refuse (signing twice, deciding nothing, …).


def _department_assignments(case: Case, found: Authority) -> list[Any]:
    """The acting department's assignments on the case (all of them for the system)."""
    return [
        a
        for a in case.assignments.all()
        if found.department_id is None or a.department_id == found.department_id
    ]


def _holds(*states: str) -> Callable[[Case, Authority], bool]:
    def check(case: Case, found: Authority) -> bool:
        return any(a.state in states for a in _department_assignments(case, found))

    return check


def _pending_extension(case: Case, found: Authority) -> bool:
    requests = [e for a in case.assignments.all() for e in a.extensions.all()]
    return any(e.status == RequestStatus.PENDING for e in requests)


def _may_extend(case: Case, found: Authority) -> bool:
    return any(
        a.state in ACTIVE_ASSIGNMENT_STATES
        and not any(e.status == RequestStatus.PENDING for e in a.extensions.all())
        for a in _department_assignments(case, found)
    )


def _pending_suspension(case: Case, found: Authority) -> bool:
    return any(s.status == RequestStatus.PENDING for s in case.suspensions.all())


def _unanswered_supervision(case: Case, found: Authority) -> bool:
    mine = {a.pk for a in _department_assignments(case, found)}
    return any(s.answered_at is None and s.assignment_id in mine for s in case.supervisions.all())


READY: dict[str, Callable[[Case, Authority], bool]] = {
    "settle": lambda case, found: bool(case.entry.item.settle_on_spot_allowed),
    "escalate": lambda case, found: case.level in NEXT_LEVEL,
    "sign": _holds(AssignmentState.DISPATCHED),
    "return": _holds(*ACTIVE_ASSIGNMENT_STATES),
    "feedback": _holds(AssignmentState.SIGNED),
    "extend": _may_extend,
    "decide_extension": _pending_extension,
    "suspend": lambda case, found: not _pending_suspension(case, found),
    "decide_suspension": _pending_suspension,
    "answer": _unanswered_supervision,
    "end_assignment": lambda case, found: bool(open_co_assignments(case)),
    "review": lambda case, found: case.review_pending,
}


def available_actions(user: Any, case: Case) -> list[str]:
    """The actions this user may take on this case right now (for the UI and the API)."""
    names = []
    for name, action in ACTIONS.items():
        if case.state not in action.sources:
            continue
        found = authority(user, case, action.actors)
        if found is not None and READY.get(name, lambda case, found: True)(case, found):
            names.append(name)
    return names
