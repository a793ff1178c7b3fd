"""The roles of gridgov, in one place (R20.1, R22.1).

Every role a person holds is bound to a jurisdiction: a region code (city 4 digits, county 6,
township 9, village 12) or, for grid workers, a grid code (15 digits). "Inside my jurisdiction"
is a code-prefix test. Department roles are also bound to one department.

Later features check roles through :mod:`gridgov.access.scoping` (``user_roles``, ``jurisdictions``,
``has_role``) and the role sets below, never by comparing strings scattered through the code.

This module is plain Python (no models) so any app can import it; it lives in the core,
which imports no app (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", _("系统管理员")
    AGENCY_ADMIN = "agency_admin", _("网格化机构管理员")
    DISPATCHER = "dispatcher", _("网格化机构调度员")
    SUPERVISOR = "supervisor", _("网格化机构督办员")
    DEPT_HANDLER = "dept_handler", _("联动部门经办人")
    DEPT_HEAD = "dept_head", _("联动部门负责人")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER_FULLTIME = "grid_worker_fulltime", _("专职网格员")
    GRID_WORKER_PARTTIME = "grid_worker_parttime", _("兼职网格员")
    GRID_WORKER_PROFESSIONAL = "grid_worker_professional", _("专业网格员")
    VILLAGE_COMMITTEE = "village_committee", _("村(居)委会成员")
    AUDITOR = "auditor", _("审计员")
    RESIDENT = "resident", _("居民")


@dataclass(frozen=True)
class RoleInfo:
    """What a role is for and where it may be bound."""

    levels: frozenset[str]  # region levels the role may be bound to ("grid": a grid code)
    needs_department: bool
    granted: bool  # True: granted as a RoleAssignment; False: derived (grid roles)
    may: str  # what the role may see and do, for people and for the role table in the docs


ALL_LEVELS = frozenset({"province", "city", "county", "township", "village"})
AGENCY_LEVELS = frozenset({"city", "county", "township"})

ROLE_INFO: dict[str, RoleInfo] = {
    Role.SYSADMIN: RoleInfo(
        frozenset({"province", "city"}),
        False,
        True,
        "everything in the jurisdiction: accounts and roles, agencies, departments, department "
        "kinds, grid workers, reveal personal data; the Django admin",
    ),
    Role.AGENCY_ADMIN: RoleInfo(
        AGENCY_LEVELS,
        False,
        True,
        "the agency's jurisdiction (R4.1): accounts and roles below the agency, agencies and "
        "departments below it, village committees, grid workers (recruit, assign, exit, "
        "train, equip), reveal personal data; the Django admin",
    ),
    Role.DISPATCHER: RoleInfo(
        AGENCY_LEVELS,
        False,
        True,
        "reads organisations and grid workers of the jurisdiction (masked); accepts and "
        "dispatches cases, pushes instructions (R23.1, R24.2)",
    ),
    Role.SUPERVISOR: RoleInfo(
        AGENCY_LEVELS,
        False,
        True,
        "reads organisations and grid workers of the jurisdiction (masked); supervises, warns "
        "and assesses (R4.1, R27.1)",
    ),
    Role.DEPT_HANDLER: RoleInfo(
        AGENCY_LEVELS,
        True,
        True,
        "bound to one department: reads organisations and grid workers of the department's "
        "region (masked); handles cases assigned to the department (R5.1, R24.3)",
    ),
    Role.DEPT_HEAD: RoleInfo(
        AGENCY_LEVELS,
        True,
        True,
        "as the department handler, plus the department's decisions (returns, extensions, "
        "change requests to admission lists; R9.3, R24.4)",
    ),
    Role.GRID_LEADER: RoleInfo(
        frozenset({"grid"}),
        False,
        False,
        "derived from an active leader assignment: the grid's workers and work (R11.1)",
    ),
    Role.GRID_WORKER_FULLTIME: RoleInfo(
        frozenset({"grid"}),
        False,
        False,
        "derived from an active full-time assignment: the grid's workers and work (R11.1)",
    ),
    Role.GRID_WORKER_PARTTIME: RoleInfo(
        frozenset({"grid"}),
        False,
        False,
        "derived from an active part-time assignment: the grid's workers and work (R11.1)",
    ),
    Role.GRID_WORKER_PROFESSIONAL: RoleInfo(
        frozenset({"grid"}),
        False,
        False,
        "derived from an active professional assignment (at most two grids, R10.3)",
    ),
    Role.VILLAGE_COMMITTEE: RoleInfo(
        frozenset({"village"}),
        False,
        True,
        "the village/community: its committee, grids and grid workers (masked); assists the "
        "township agency and mobilises residents (R6.1)",
    ),
    Role.AUDITOR: RoleInfo(
        ALL_LEVELS,
        False,
        True,
        "reads the audit trail and the personal-data access log of the jurisdiction, nothing "
        "else (R28.1, R22.1)",
    ),
    Role.RESIDENT: RoleInfo(
        ALL_LEVELS,
        False,
        True,
        "a public account: reports problems and follows their own reports (R18.1)",
    ),
}

# --- Role sets other features check ---------------------------------------------------------

# Roles an administrator grants directly (grid roles follow worker assignments instead).
GRANTED_ROLE_CHOICES = [choice for choice in Role.choices if ROLE_INFO[choice[0]].granted]

AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.DISPATCHER, Role.SUPERVISOR})
DEPARTMENT_ROLES = frozenset({Role.DEPT_HANDLER, Role.DEPT_HEAD})
GRID_ROLES = frozenset(
    {
        Role.GRID_LEADER,
        Role.GRID_WORKER_FULLTIME,
        Role.GRID_WORKER_PARTTIME,
        Role.GRID_WORKER_PROFESSIONAL,
    }
)
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.AGENCY_ADMIN})
# Everyone who works inside the platform (everyone but the auditor and the public).
STAFF_ROLES = frozenset(
    {Role.SYSADMIN, *AGENCY_ROLES, *DEPARTMENT_ROLES, *GRID_ROLES, Role.VILLAGE_COMMITTEE}
)
# Who may read agencies, departments and village committees of their jurisdiction.
ORGANISATION_READERS = STAFF_ROLES
ORGANISATION_MANAGERS = ADMIN_ROLES
# Who may read grid workers (always masked) and manage them (R10–R13).
WORKER_READERS = STAFF_ROLES
WORKER_MANAGERS = ADMIN_ROLES
# Who may see a full ID-card number or personal phone, one reveal at a time, with a reason,
# logged (R22.1). Everyone else only ever sees the masked value.
PERSONAL_DATA_REVEALERS = ADMIN_ROLES
# Who may reveal the contact data of a case (the reporter's phone, an involved person's phone
# or ID number), one reveal at a time, with a reason, logged: the agency staff who call the
# reporter back and the departments handling the case (R18.1, R22.1). Which cases they reach
# is still the case's scope (a department only its own cases). A model says which set applies
# to it by its ``REVEALERS`` attribute (people.services.reveal); the default is the one above.
CASE_CONTACT_REVEALERS = frozenset(
    {*ADMIN_ROLES, Role.DISPATCHER, Role.SUPERVISOR, *DEPARTMENT_ROLES}
)
# Who may read the audit trail and the personal-data access log (R28.1).
AUDIT_READERS = frozenset({Role.AUDITOR})
# Who may manage accounts and grant roles inside their jurisdiction.
ACCOUNT_MANAGERS = ADMIN_ROLES
# Roles that get Django admin access (is_staff) while they hold them.
ADMIN_SITE_ROLES = frozenset({Role.SYSADMIN, Role.AGENCY_ADMIN, Role.AUDITOR})

GRID_ROLE_BY_WORKER_KIND = {
    "leader": Role.GRID_LEADER,
    "fulltime": Role.GRID_WORKER_FULLTIME,
    "parttime": Role.GRID_WORKER_PARTTIME,
    "professional": Role.GRID_WORKER_PROFESSIONAL,
}


def label(role: str) -> str:
    """The role's display name ("网格长"), or the code itself for an unknown role."""
    try:
        return str(Role(role).label)
    except ValueError:
        return role
