from __future__ import annotations

from typing import Any

from django import template

from gridgov import menu

register = template.Library()


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
