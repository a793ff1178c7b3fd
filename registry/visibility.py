"""Who may see and change the registry, and who may see each kind of special group (R11.1,
R22.1).

The special and vulnerable groups (特殊人群、困难群体) are a code table: :class:`SpecialGroupKind`
and, for each kind, one row of :data:`RULES` saying which roles besides the agency may see a
tag of that kind and how often it is visited by default. The tag's ``scope_rule``
(``registry.models.SpecialGroupTag``) reads this table, so ``scope_queryset`` is the one place
it is enforced: a list, a resident's answer, the due-visit list and the URL walk all go
through it.

The agency staff (网格化机构: administrators, dispatchers, supervisors) and the system
administrator see every kind in their jurisdiction: the township agency coordinates all of it.
Others see a kind only when its row names them: grid workers (of the grid the resident lives
in), village committee members (of the village), and the staff of departments of the kinds
named (公安 ``police``, 卫生健康 ``health``, 民政 ``civil_affairs``, 司法行政 ``justice`` …,
the codes of ``people.DepartmentKind``) over their department's region.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.access import roles as R

# Who reads the registry at all (each model's scope decides where), and who changes it.
REGISTRY_READERS = R.STAFF_ROLES
REGISTRY_EDITORS = frozenset(
    {*R.ADMIN_ROLES, *R.AGENCY_ROLES, *R.GRID_ROLES, R.Role.VILLAGE_COMMITTEE}
)
# Who sees every kind of special group of their jurisdiction.
ALL_KINDS_ROLES = frozenset({R.Role.SYSADMIN, *R.AGENCY_ROLES})


class SpecialGroupKind(models.TextChoices):
    # 特殊人群
    RELEASED_PRISONER = "released_prisoner", _("刑满释放人员")
    COMMUNITY_CORRECTION = "community_correction", _("社区矫正对象")
    DRUG_RELATED = "drug_related", _("吸毒人员")
    SEVERE_MENTAL_DISORDER = "severe_mental_disorder", _("严重精神障碍患者")
    KEY_YOUTH = "key_youth", _("重点青少年")
    # 困难群体
    SUBSISTENCE_ALLOWANCE = "subsistence_allowance", _("低保对象")
    EXTREME_POVERTY = "extreme_poverty", _("特困人员")
    DISABLED = "disabled", _("残疾人")
    ELDERLY_ALONE = "elderly_alone", _("独居/空巢老人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")


class GroupCategory(models.TextChoices):
    SPECIAL = "special", _("特殊人群")
    VULNERABLE = "vulnerable", _("困难群体")


@dataclass(frozen=True)
class KindRule:
    """Who may see one kind besides the agency, and its defaults."""

    category: str
    grid_workers: bool  # the workers of the resident's grid
    village_committee: bool  # the members of the resident's village committee
    department_kinds: frozenset[str]  # staff of departments of these kinds (people.DepartmentKind)
    responsible: str  # the department kind responsible by default
    visit_days: int  # default visit frequency


_K = SpecialGroupKind
_S, _V = GroupCategory.SPECIAL, GroupCategory.VULNERABLE

RULES: dict[str, KindRule] = {
    _K.RELEASED_PRISONER: KindRule(
        _S, True, False, frozenset({"justice", "police"}), "justice", 30
    ),
    _K.COMMUNITY_CORRECTION: KindRule(
        _S, True, False, frozenset({"justice", "police"}), "justice", 30
    ),
    _K.DRUG_RELATED: KindRule(_S, True, False, frozenset({"police"}), "police", 30),
    _K.SEVERE_MENTAL_DISORDER: KindRule(
        _S, False, False, frozenset({"health", "civil_affairs"}), "health", 30
    ),
    _K.KEY_YOUTH: KindRule(_S, True, True, frozenset({"police", "civil_affairs"}), "police", 90),
    _K.SUBSISTENCE_ALLOWANCE: KindRule(
        _V, True, True, frozenset({"civil_affairs"}), "civil_affairs", 90
    ),
    _K.EXTREME_POVERTY: KindRule(_V, True, True, frozenset({"civil_affairs"}), "civil_affairs", 30),
    _K.DISABLED: KindRule(
        _V, True, True, frozenset({"civil_affairs", "health"}), "civil_affairs", 90
    ),
    _K.ELDERLY_ALONE: KindRule(
        _V, True, True, frozenset({"civil_affairs", "health"}), "civil_affairs", 7
    ),
    _K.LEFT_BEHIND_CHILD: KindRule(
        _V, True, True, frozenset({"civil_affairs"}), "civil_affairs", 30
    ),
}


def kinds_visible_to(role: str, department_kind: str | None = None) -> frozenset[str]:
    """The kinds a grant of ``role`` (for a department of ``department_kind``) may see."""
    if role in ALL_KINDS_ROLES:
        return frozenset(RULES)
    if role in R.GRID_ROLES:
        return frozenset(k for k, rule in RULES.items() if rule.grid_workers)
    if role == R.Role.VILLAGE_COMMITTEE:
        return frozenset(k for k, rule in RULES.items() if rule.village_committee)
    if role in R.DEPARTMENT_ROLES and department_kind:
        return frozenset(k for k, rule in RULES.items() if department_kind in rule.department_kinds)
    return frozenset()
