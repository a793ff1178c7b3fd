"""What the agency console and the department workbench list, count and chart (issue 6).

Read-only queries over scoped querysets (R22.1): every one starts from
:func:`console_cases`, :func:`page_cases` or :func:`inbox_assignments`, which go through
``gridgov.access.scoping.scope_queryset`` narrowed to the roles of the workbench, so a dispatcher
who is also a resident never sees their own reports mixed into the console.

Counts and charts are one query each (conditional aggregates and GROUP BY), never a scan of
rows in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases import machine
from cases.models import (
    ACTIVE_ASSIGNMENT_STATES,
    OPEN_STATES,
    Assignment,
    AssignmentRole,
    AssignmentState,
    Case,
    DeadlineStatus,
    State,
    Urgency,
)
from gridgov.access import roles as R
from gridgov.access import scoping

CONSOLE_ROLES = frozenset({*R.AGENCY_ROLES, R.Role.SYSADMIN})
DEPARTMENT_ROLES = R.DEPARTMENT_ROLES
# The case page serves both workbenches: agency staff and the departments on the case.
CASE_PAGE_ROLES = CONSOLE_ROLES | DEPARTMENT_ROLES


def console_cases(user: Any) -> QuerySet[Case]:
    """Cases of the user's agency jurisdiction (R22.1)."""
    return scoping.scope_queryset(user, Case.objects.all(), roles=CONSOLE_ROLES)


def page_cases(user: Any) -> QuerySet[Case]:
    """Cases whose page the user may open: agency jurisdiction or assigned department."""
    return scoping.scope_queryset(user, Case.objects.all(), roles=CASE_PAGE_ROLES)


def may_use_console(user: Any) -> bool:
    return scoping.has_role(user, CONSOLE_ROLES)


def may_use_inbox(user: Any) -> bool:
    return scoping.has_role(user, DEPARTMENT_ROLES)


def acting_agency_codes(user: Any) -> frozenset[str] | None:
    """The agencies the user acts for (None: no restriction, for the superuser).

    Action queues show the cases these agencies hold (R24.2: the agency at the right level);
    a supervisor, who acts for none, sees every case of the jurisdiction in them.
    """
    if scoping.is_unrestricted(user):
        return None
    codes = frozenset(g.code for g in scoping.grants_for(user, machine.AGENCY_ACTING_ROLES))
    return codes or None


# --- console queues ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any
    condition: Q
    held: bool  # only cases my agency holds (the ones I can act on)
    order: tuple[Any, ...]
    bulk: str = ""  # the bulk action offered on this queue
    hint: Any = ""


DUE_FIRST = (F("due_at").asc(nulls_last=True), F("dispatch_due_at").asc(nulls_last=True), "pk")
DISPATCH_DUE_FIRST = (F("dispatch_due_at").asc(nulls_last=True), "created_at", "pk")

QUEUES: dict[str, Queue] = {
    q.key: q
    for q in [
        Queue(
            "open",
            _("全部事件"),
            Q(state__in=OPEN_STATES),
            held=False,
            order=("-created_at", "-pk"),
        ),
        Queue(
            "verify",
            _("待核实"),
            Q(state=State.REPORTED),
            held=True,
            order=("created_at", "pk"),
            hint=_("群众反映、热线事件,待网格员或机构核实。"),
        ),
        Queue(
            "accept",
            _("待立案"),
            Q(state=State.VERIFIED),
            held=True,
            order=DISPATCH_DUE_FIRST,
            bulk="accept",
        ),
        Queue(
            "dispatch",
            _("待派遣"),
            Q(state__in=[State.ACCEPTED, State.RETURNED]),
            held=True,
            order=DISPATCH_DUE_FIRST,
            bulk="dispatch",
            hint=_("已退回的事件是职责争议:请看部门的退回理由,必要时改派或写明裁定理由。"),
        ),
        Queue(
            "check",
            _("待核查"),
            Q(state=State.HANDLED),
            held=True,
            order=("handled_at", "pk"),
        ),
        Queue(
            "review",
            _("待复核"),
            Q(review_pending=True),
            held=True,
            order=("evaluated_at", "pk"),
            hint=_("群众评价不满意的事件:复核后重新办理,或写明理由维持结案。"),
        ),
        Queue(
            "overdue",
            _("超期"),
            Q(state__in=OPEN_STATES, deadline_status=DeadlineStatus.RED),
            held=False,
            order=DUE_FIRST,
        ),
        Queue(
            "amber",
            _("临期"),
            Q(state__in=OPEN_STATES, deadline_status=DeadlineStatus.AMBER),
            held=False,
            order=DUE_FIRST,
        ),
    ]
}
DEFAULT_QUEUE = "open"


def _held_q(user: Any) -> Q:
    codes = acting_agency_codes(user)
    return Q() if codes is None else Q(agency_code__in=sorted(codes))


def queue_condition(user: Any, queue: Queue) -> Q:
    return queue.condition & _held_q(user) if queue.held else queue.condition


def queue_counts(user: Any, cases: QuerySet[Case] | None = None) -> dict[str, int]:
    """Every queue's count in one query (conditional aggregates)."""
    cases = console_cases(user) if cases is None else cases
    aggregates = {
        key: Count("pk", filter=queue_condition(user, queue)) for key, queue in QUEUES.items()
    }
    return cases.aggregate(**aggregates)


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    queue: str = DEFAULT_QUEUE
    states: tuple[str, ...] = ()
    overdue: bool = False
    deadline: str = ""
    matter: str = ""
    text: str = ""
    grid: str = ""
    urgent: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Filters:
        getlist = getattr(params, "getlist", None)
        states = getlist("state") if getlist else [params.get("state", "")]
        queue = str(params.get("queue") or DEFAULT_QUEUE)
        deadline = str(params.get("deadline") or "")
        return cls(
            queue=queue if queue in QUEUES else DEFAULT_QUEUE,
            states=tuple(s for s in states if s in State.values),
            overdue=params.get("overdue") in ("1", "on", "true"),
            deadline=deadline if deadline in DeadlineStatus.values else "",
            matter=str(params.get("matter") or "").strip()[:32],
            text=str(params.get("q") or "").strip()[:100],
            grid=str(params.get("grid") or "").strip()[:15],
            urgent=params.get("urgent") in ("1", "on", "true"),
        )

    def apply(self, user: Any, cases: QuerySet[Case], *, with_queue: bool = True) -> QuerySet:
        # "All cases" means the open ones unless a state is asked for (closed, declined …).
        if with_queue and not (self.queue == DEFAULT_QUEUE and self.states):
            cases = cases.filter(queue_condition(user, QUEUES[self.queue]))
        if self.states:
            cases = cases.filter(state__in=self.states)
        if self.overdue:
            cases = cases.filter(deadline_status=DeadlineStatus.RED)
        if self.deadline:
            cases = cases.filter(deadline_status=self.deadline)
        if self.matter:
            cases = cases.filter(matter_code=self.matter)
        # any prefix asked for is applied: "¹" or "abc" matches no grid, it is not ignored
        if self.grid:
            cases = cases.filter(grid_code__startswith=self.grid)
        if self.urgent:
            cases = cases.filter(urgency=Urgency.URGENT)
        if self.text:
            cases = cases.filter(
                Q(tracking_code=self.text.upper())
                | Q(description__icontains=self.text)
                | Q(address__icontains=self.text)
            )
        return cases


def queue_page_queryset(user: Any, filters: Filters) -> QuerySet[Case]:
    """The rows of a queue, with what the list shows (no query per row)."""
    queue = QUEUES[filters.queue]
    returned = Assignment.objects.filter(
        role=AssignmentRole.LEAD, state=AssignmentState.RETURNED
    ).select_related("department")
    return (
        filters.apply(user, console_cases(user))
        .select_related("entry__item", "grid", "lead_department")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=returned.order_by("-returned_at", "-pk"),
                to_attr="returned_leads",
            )
        )
        .order_by(*queue.order)
    )


def matter_choices(user: Any) -> list[tuple[str, str]]:
    """Matters that have open cases in the jurisdiction (one GROUP BY), for the filter."""
    rows = (
        console_cases(user)
        .filter(state__in=OPEN_STATES)
        .values_list("matter_code", "entry__item__name")
        .annotate(n=Count("pk"))
        .order_by("matter_code")
    )
    seen: dict[str, str] = {}
    for code, name, _n in rows:
        seen.setdefault(code, f"{code} {name}")
    return list(seen.items())


# --- charts (ECharts panel) --------------------------------------------------------------------


def console_stats(user: Any) -> dict[str, Any]:
    """Open cases by state, by matter (top 10) and overdue assignments by department: one
    GROUP BY each (R27.1 assessment at a glance)."""
    open_cases = console_cases(user).filter(state__in=OPEN_STATES)
    labels = dict(State.choices)
    by_state = [
        {"key": row["state"], "name": str(labels.get(row["state"], row["state"])), "n": row["n"]}
        for row in open_cases.values("state").annotate(n=Count("pk")).order_by("-n", "state")
    ]
    by_matter = [
        {"key": row["matter_code"], "name": row["entry__item__name"], "n": row["n"]}
        for row in open_cases.values("matter_code", "entry__item__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "matter_code")[:10]
    ]
    late = scoping.scope_queryset(
        user,
        Assignment.objects.filter(
            state__in=ACTIVE_ASSIGNMENT_STATES, deadline_status=DeadlineStatus.RED
        ),
        roles=CONSOLE_ROLES,
    )
    overdue_by_department = [
        {"key": row["department"], "name": row["department__name"], "n": row["n"]}
        for row in late.values("department", "department__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "department__name")[:15]
    ]
    return {
        "by_state": by_state,
        "by_matter": by_matter,
        "overdue_by_department": overdue_by_department,
    }


# --- the department inbox ----------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    states: tuple[str, ...]
    order: tuple[Any, ...]


DUE = (F("due_at").asc(nulls_last=True), "pk")
INBOX_TABS: dict[str, Tab] = {
    t.key: t
    for t in [
        Tab("sign", _("待签收"), (AssignmentState.DISPATCHED,), DUE),
        Tab("progress", _("办理中"), (AssignmentState.SIGNED,), DUE),
        Tab("returned", _("已退回"), (AssignmentState.RETURNED,), ("-returned_at", "-pk")),
        Tab("fed_back", _("已反馈"), (AssignmentState.FED_BACK,), ("-fed_back_at", "-pk")),
        Tab("ended", _("已终止"), (AssignmentState.ENDED,), ("-ended_at", "-pk")),
    ]
}
DEFAULT_TAB = "sign"


def inbox_assignments(user: Any) -> QuerySet[Assignment]:
    """Assignments of the user's departments (R24.3), scoped like their cases."""
    assignments = scoping.scope_queryset(user, Assignment.objects.all(), roles=DEPARTMENT_ROLES)
    departments = scoping.department_ids(user, DEPARTMENT_ROLES)
    if departments or not scoping.is_unrestricted(user):
        assignments = assignments.filter(department_id__in=sorted(departments))
    return assignments


def inbox_counts(user: Any) -> dict[str, int]:
    aggregates = {
        key: Count("pk", filter=Q(state__in=tab.states)) for key, tab in INBOX_TABS.items()
    }
    aggregates["red"] = Count(
        "pk", filter=Q(state__in=ACTIVE_ASSIGNMENT_STATES, deadline_status=DeadlineStatus.RED)
    )
    aggregates["amber"] = Count(
        "pk", filter=Q(state__in=ACTIVE_ASSIGNMENT_STATES, deadline_status=DeadlineStatus.AMBER)
    )
    return inbox_assignments(user).aggregate(**aggregates)


def inbox_page_queryset(user: Any, tab: Tab, text: str = "") -> QuerySet[Assignment]:
    rows = inbox_assignments(user).filter(state__in=tab.states)
    if text:
        rows = rows.filter(
            Q(case__tracking_code=text.upper()) | Q(case__description__icontains=text)
        )
    return (
        rows.select_related("case__entry__item", "case__grid", "department")
        .prefetch_related("extensions", "supervisions")
        .order_by(*tab.order)
    )
