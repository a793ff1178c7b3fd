"""Badges of the workbenches: case state, deadline colour (normal / amber / red, R27.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases import labels
from cases.models import DeadlineStatus, State

register = template.Library()

STATE_LABELS = dict(State.choices)
DEADLINE_LABELS = dict(DeadlineStatus.choices)


@register.simple_tag
def state_badge(state: str) -> SafeString:
    return format_html(
        '<span class="badge state state-{}">{}</span>', state, STATE_LABELS.get(state, state)
    )


@register.simple_tag
def deadline_badge(status: str, due: dt.datetime | None = None) -> SafeString:
    """``<span class="badge red">超期</span> 05-12 17:30`` (nothing for no deadline)."""
    if status in ("", DeadlineStatus.NONE) and due is None:
        return mark_safe("")
    when = ""
    if due is not None:
        local = timezone.localtime(due)
        when = local.strftime("%m-%d %H:%M")
    if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
        return format_html(
            '<span class="badge {}">{}</span> <time datetime="{}">{}</time>',
            status,
            DEADLINE_LABELS[status],
            due.isoformat() if due else "",
            when,
        )
    return format_html(
        '<time class="due" datetime="{}" title="{}">{}</time>',
        due.isoformat() if due else "",
        _("时限"),
        when,
    )


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ counts|get_item:queue.key }}``"""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def values_of(data: Any, name: str) -> list[str]:
    """All submitted values of a field (``QueryDict.getlist``), for checkboxes kept on error."""
    getlist = getattr(data, "getlist", None)
    return getlist(name) if getlist else []


@register.filter
def person(user: Any) -> str:
    """A person's name (full name), never an account name when a name is known (R26.2)."""
    return labels.person(user) if user is not None else ""
