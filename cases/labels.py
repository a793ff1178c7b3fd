"""How a case's record reads to people (R26.2): names, labels and local times.

The archive stores what the chain hashes (user names, role and action codes, UTC times); the
case page, its timeline and the PDF show people's names (the account's full name, or a stand-in
for its role: 居民 for a resident without an account, 系统 for the system), the actions and
states in the user's language, and times in the platform's time zone (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases import machine, recompute
from cases.models import CaseEvent, State
from gridgov.access import roles as R

EVENT_LABELS: dict[str, Any] = {
    "report": gettext_lazy("上报"),
    recompute.ACTION: gettext_lazy("时限调整"),  # the holiday notice moved a deadline (R24.2)
    "regrid": gettext_lazy("网格调整"),  # the grid was split, merged or redrawn (R8.1)
    **{name: action.label for name, action in machine.ACTIONS.items()},
}
ACTOR_KIND_LABELS: dict[str, Any] = {
    "system": gettext_lazy("系统"),
    "superuser": gettext_lazy("超级管理员"),
    machine.GRID: gettext_lazy("网格员"),
    machine.AGENCY: gettext_lazy("网格化机构"),
    machine.SUPERVISOR: gettext_lazy("督办"),
    machine.DEPARTMENT: gettext_lazy("联动部门"),
    machine.DEPARTMENT_LEAD: gettext_lazy("牵头部门"),
    machine.REPORTER: gettext_lazy("反映人"),
}
SYSTEM = gettext_lazy("系统")
RESIDENT = gettext_lazy("居民")
# What the archive records as the actor's name for a visitor without an account.
ANONYMOUS_NAME = "AnonymousUser"


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def role_label(role: str) -> str:
    if role in ACTOR_KIND_LABELS:
        return str(ACTOR_KIND_LABELS[role])
    return R.label(role) if role else ""


def person(user: Any, role: str = "") -> str:
    """A person's name as people read it: the full name, else the role's name, else (only
    when neither is known) the account name."""
    if user is None:
        return str(SYSTEM)
    name = (getattr(user, "full_name", "") or "").strip()
    if not name:
        parts = (getattr(user, "last_name", ""), getattr(user, "first_name", ""))
        name = "".join(p for p in parts if p).strip()
    return name or role_label(role) or user.get_username()


def actor(event: CaseEvent) -> str:
    """Who took the step: a name, 居民 for a resident without an account, 系统 otherwise."""
    if event.actor_id is not None:
        return person(event.actor, event.role)
    if event.actor_name == ANONYMOUS_NAME or event.role == machine.REPORTER:
        return str(RESIDENT)
    return str(SYSTEM)


def local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in the platform's time zone (Asia/Shanghai), or "—"."""
    if value is None:
        return "—"
    return timezone.localtime(value).strftime(fmt)
