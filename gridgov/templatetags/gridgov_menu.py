from __future__ import annotations

import logging
from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from gridgov import menu

register = template.Library()
log = logging.getLogger(__name__)


@register.inclusion_tag("_menu.html", takes_context=True)
def main_menu(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    path = getattr(request, "path", "")
    items = menu.items_for(user)
    current = max(
        (i for i in items if path.startswith(i.url)), key=lambda i: len(i.url), default=None
    )
    return {"items": items, "current": current, "user": user, "request": request}


@register.simple_tag(takes_context=True)
def header_items(context: dict[str, Any]) -> SafeString:
    """The header widgets apps registered (``gridgov.menu.register_header``), rendered."""
    request = context.get("request")
    user = getattr(request, "user", None)
    parts = []
    for item in menu.header_items_for(user):
        try:
            parts.append(get_template(item.template).render(item.context(request), request))
        except Exception:  # a widget must not take the page down (a database hiccup, say)
            log.exception("header item %s failed", item.key)
    return mark_safe("".join(parts))  # each part is a template's own (escaped) output
