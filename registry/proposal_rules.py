"""Which proposals from the phone take effect at once and which wait for the township agency
(R11.1 (二)): one row per kind.

A row names the fields a proposal of its kind may touch and still be confirmed automatically
(``auto_fields``): a proposal that gives only fields of that set (and at least one) is low risk
and is applied at once, under the proposer's own rights, audited as an automatic confirmation;
any other field makes it wait. A kind without ``auto_fields`` always waits: a new resident,
a special-group tag, moving in or out change who lives where, and the agency checks them.
``photo`` stands for the photo attached to a proposal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from registry.models import ProposalKind


@dataclass(frozen=True)
class ProposalRule:
    auto_fields: frozenset[str]  # fields confirmed at once when only they are given
    why: str  # shown to the reviewer and the proposer


_K = ProposalKind

RULES: dict[str, ProposalRule] = {
    _K.RESIDENT_ADD: ProposalRule(frozenset(), _("新增人口须由镇(街道)网格化机构审核")),
    _K.RESIDENT_UPDATE: ProposalRule(
        frozenset({"phone"}), _("联系电话更正自动生效,其他信息须审核")
    ),
    _K.MOVE_IN: ProposalRule(frozenset(), _("迁入须审核")),
    _K.MOVE_OUT: ProposalRule(frozenset(), _("迁出须审核")),
    _K.TAG: ProposalRule(frozenset(), _("特殊人群标记须审核")),
    _K.PLACE_ADD: ProposalRule(frozenset(), _("新增重点场所须审核")),
    _K.PLACE_UPDATE: ProposalRule(
        frozenset({"photo", "last_inspected_on", "note"}),
        _("场所照片、巡查日期和备注自动生效,风险等级等须审核"),
    ),
    _K.THING_STATE: ProposalRule(frozenset({"state", "note"}), _("部件状态自动生效")),
}


def is_automatic(kind: str, fields: Iterable[str]) -> bool:
    """Is a proposal of ``kind`` giving ``fields`` confirmed at once?"""
    given = frozenset(fields)
    allowed = RULES[kind].auto_fields
    return bool(given) and bool(allowed) and given <= allowed
