"""Display names for the codes an audit record stores (R28.1): auditors read 核查结案, 调度员
and 接口, not ``cases.check``, ``dispatcher`` and ``api``; the codes stay in the record, the
filters and the export."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from audit import actions
from gridgov.access import roles

register = template.Library()

CHANNELS = {
    "web": _("网页"),
    "api": _("接口"),
    "command": _("命令"),
    "task": _("后台任务"),
    "system": _("系统"),
}


@register.filter
def action_label(code: str) -> str:
    """The action's display name (its app's :class:`audit.actions.AuditAction` label), or the
    code itself for an action no app declares any more."""
    return actions.label(code)


@register.filter
def role_label(code: str) -> str:
    """The role's display name, or ``-`` when the step was taken without a role."""
    return roles.label(code) if code else "-"


@register.filter
def channel_label(code: str) -> str:
    return str(CHANNELS.get(code, code or "-"))
