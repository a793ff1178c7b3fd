"""Who may take which step on the catalogue, the lists and the change requests (R9.2, R9.3; the
regulation's 第九条):

============================  =====================================================
step                          who
============================  =====================================================
catalogue: categories, items  the city agency's administrator (市网格化机构)
compile / edit a draft list,  the county agency's administrator (县网格化机构), at
publish it, file it with the  the county itself: a city or township administrator
city, review change requests  cannot act for the county
acknowledge a filing          the city agency's administrator of the county's city
request a change              the head of a county-level department of the county
                              (联动部门负责人) or a township agency administrator
                              (乡镇网格化机构) inside the county
============================  =====================================================

A system administrator whose jurisdiction covers the place may take any step (break-glass, still
audited). Dispatchers and supervisors read lists and requests but decide nothing on them: the
list is a normative document of the county agency, so approving a change is the
administrator's decision, not a dispatching one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.actors import Actor
from gridgov.errors import DomainError, Forbidden
from matters.models import (
    LIST_MANAGERS,
)
from matters.services.terms import (
    county_department,
)
from people.models import AgencyLevel, Department, GridAgency
from people.services.common import DepartmentRef
from regions.models import Region


def _refuse(what: str, who: str) -> Forbidden:
    return Forbidden(_("无权%(what)s:须由%(who)s办理") % {"what": what, "who": who})


def require_city_admin(actor: Actor, city_code: str, *, what: str) -> scoping.Grant | None:
    """The city agency administrator (or a system administrator covering the city)."""
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return None
    for grant in scoping.grants_for(actor, LIST_MANAGERS):
        if grant.role == R.Role.SYSADMIN and grant.covers(city_code):
            return grant
        if grant.role == R.Role.AGENCY_ADMIN and grant.code == city_code:
            return grant
    raise _refuse(what, _("市网格化机构管理员"))


def require_county_admin(actor: Actor, county: Region, *, what: str) -> scoping.Grant | None:
    """The county agency administrator of exactly this county (or a covering sysadmin)."""
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        return None
    for grant in scoping.grants_for(actor, LIST_MANAGERS):
        if grant.role == R.Role.SYSADMIN and grant.covers(county.code):
            return grant
        if grant.role == R.Role.AGENCY_ADMIN and grant.code == county.code:
            return grant
    raise _refuse(what, _("%(county)s网格化机构管理员") % {"county": county.name})


@dataclass(frozen=True)
class Requester:
    """Who a change request comes from (R9.3): a county department or a township agency."""

    department: Department | None
    agency: GridAgency | None
    grant: scoping.Grant | None


def requester_for(
    actor: Actor,
    county: Region,
    *,
    department: DepartmentRef = None,
    agency: GridAgency | int | str | None = None,
) -> Requester:
    """Decide on whose behalf ``actor`` requests a change to ``county``'s list, or Forbidden.

    The system (demo, commands) names the department or agency; a person acts for the
    department they head (``DEPT_HEAD``) or the township agency they administer.
    """
    department_id = getattr(department, "pk", department) or None
    agency_id = getattr(agency, "pk", agency) or None
    if scoping.is_system(actor) or scoping.is_unrestricted(actor):
        if department_id:
            dept = county_department(department_id, county, "department")
            return Requester(dept, None, None)
        if agency_id:
            found = GridAgency.objects.select_related("region").filter(pk=agency_id).first()
            if found is None or not _is_township_agency_of(found, county):
                raise DomainError(
                    _("申请机构须为%(county)s的乡镇(街道)网格化机构") % {"county": county.name},
                    field="agency",
                    code="unknown_agency",
                )
            return Requester(None, found, None)
        raise DomainError(_("请指定申请部门或申请机构"), field="department", code="required")
    for grant in scoping.grants_for(actor, R.Role.DEPT_HEAD):
        if grant.code != county.code or grant.department_id is None:
            continue
        if department_id and grant.department_id != int(department_id):
            continue
        dept = Department.objects.select_related("region").get(pk=grant.department_id)
        if dept.level == AgencyLevel.COUNTY and dept.is_active:
            return Requester(dept, None, grant)
    for grant in scoping.grants_for(actor, R.Role.AGENCY_ADMIN):
        if len(grant.code) != 9 or not grant.code.startswith(county.code):
            continue
        found = GridAgency.objects.filter(region__code=grant.code, is_active=True).first()
        if found is not None and (not agency_id or found.pk == int(agency_id)):
            return Requester(None, found, grant)
    raise _refuse(
        _("提出%(county)s准入清单调整申请") % {"county": county.name},
        _("本县(市、区)联动部门负责人或乡镇(街道)网格化机构管理员"),
    )


def _is_township_agency_of(agency: GridAgency, county: Region) -> bool:
    return (
        agency.level == AgencyLevel.TOWNSHIP
        and agency.is_active
        and agency.region.code.startswith(county.code)
    )
