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
def provisional_mark(provisional: bool = True) -> SafeString:
    """The mark of a deadline computed with a provisional calendar year (R24.2)."""
    if not provisional:
        return mark_safe("")
    return format_html(
        '<span class="badge provisional" title="{}">{}</span>',
        _(
            "该时限计入的年度尚未录入国务院节假日安排通知,暂按法定节假日计算(不含调休上班);"
            "录入通知后自动重新计算,时限可能变动。"
        ),
        _("按暂定日历计算"),
    )


@register.simple_tag
def deadline_badge(
    status: str, due: dt.datetime | None = None, provisional: bool = False
) -> SafeString:
    """``<span class="badge red">超期</span> 05-12 17:30`` (nothing for no deadline), with the
    provisional-calendar mark when the deadline counted a provisional year (R24.2)."""
    if status in ("", DeadlineStatus.NONE) and due is None:
        return mark_safe("")
    when = ""
    if due is not None:
        local = timezone.localtime(due)
        when = local.strftime("%m-%d %H:%M")
    mark = provisional_mark(provisional and due is not None)
    if status in (DeadlineStatus.AMBER, DeadlineStatus.RED):
        return format_html(
            '<span class="badge {}">{}</span> <time datetime="{}">{}</time>{}',
            status,
            DEADLINE_LABELS[status],
            due.isoformat() if due else "",
            when,
            mark,
        )
    return format_html(
        '<time class="due" datetime="{}" title="{}">{}</time>{}',
        due.isoformat() if due else "",
        _("时限"),
        when,
        mark,
    )


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ counts|get_item:queue.key }}``"""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def person(user: Any) -> str:
    """A person's name (full name), never an account name when a name is known (R26.2)."""
    return labels.person(user) if user is not None else ""
