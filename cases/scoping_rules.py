"""How cases map to jurisdictions (R22.1), registered with the one scoping mechanism.

- agency staff, village committees and grid workers: cases in their region or grid (the
  case's grid code starts with their code);
- department staff: cases assigned to their department (at any time: returns included);
- residents: the cases they reported themselves.
"""

from __future__ import annotations

from django.db.models import Q

from cases import models as m
from people import roles as R
from people import scoping

PLACE_ROLES = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.GRID_ROLES, R.Role.VILLAGE_COMMITTEE})
CASE_READERS = frozenset({*PLACE_ROLES, *R.DEPARTMENT_ROLES, R.Role.RESIDENT})


def _case_q(access: scoping.Access, prefix: str = "") -> Q:
    place = scoping.minimal_prefixes(g.code for g in access.grants if g.role in PLACE_ROLES)
    condition = scoping.prefix_q([f"{prefix}grid_code"], place) if place else Q(pk__in=[])
    departments = {g.department_id for g in access.grants if g.role in R.DEPARTMENT_ROLES}
    if departments:
        assigned = m.Assignment.objects.filter(department_id__in=departments).values("case_id")
        condition |= Q(**{f"{prefix}pk__in" if prefix else "pk__in": assigned})
    if any(g.role == R.Role.RESIDENT for g in access.grants):
        condition |= Q(**{f"{prefix}reporter": access.user})
    return condition


def _related(prefix: str):
    def rule(access: scoping.Access) -> Q:
        return _case_q(access, prefix)

    return rule


scoping.register(m.Case, scoping.ScopeRule(view=CASE_READERS, change=CASE_READERS, q=_case_q))
for model in (
    m.Assignment,
    m.CaseEvent,
    m.Attachment,
    m.Suspension,
    m.Supervision,
    m.DutyRuling,
    m.Review,
):
    scoping.register(
        model, scoping.ScopeRule(view=CASE_READERS, change=CASE_READERS, q=_related("case__"))
    )
scoping.register(
    m.Extension,
    scoping.ScopeRule(view=CASE_READERS, change=CASE_READERS, q=_related("assignment__case__")),
)


def _warning_q(access: scoping.Access) -> Q:
    place = scoping.minimal_prefixes(g.code for g in access.grants if g.role in PLACE_ROLES)
    condition = scoping.prefix_q(["department__region__code"], place) if place else Q(pk__in=[])
    departments = {g.department_id for g in access.grants if g.department_id}
    if departments:
        condition |= Q(department_id__in=departments)
    return condition


scoping.register(
    m.Warning,
    scoping.ScopeRule(
        view=frozenset({*PLACE_ROLES, *R.DEPARTMENT_ROLES}), change=R.AGENCY_ROLES, q=_warning_q
    ),
)


def _notification_q(access: scoping.Access) -> Q:
    agency = scoping.minimal_prefixes(
        g.code for g in access.grants if g.role in R.AGENCY_ROLES or g.role == R.Role.SYSADMIN
    )
    condition = Q(pk__in=[])
    for code in agency:
        condition |= Q(agency_code__startswith=code) & ~Q(agency_code="")
    departments = {g.department_id for g in access.grants if g.department_id}
    if departments:
        condition |= Q(department_id__in=departments)
    return condition


scoping.register(
    m.Notification,
    scoping.ScopeRule(
        view=frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES}),
        change=frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES, *R.DEPARTMENT_ROLES}),
        q=_notification_q,
    ),
)
