"""The resident portal's cards on the public home page (R18.1, R8.4, R9.2)."""

from __future__ import annotations

from typing import Any

from django import template

from cases import matter_choices

register = template.Library()


@register.inclusion_tag("cases/public/_home_cards.html")
def portal_cards() -> dict[str, Any]:
    return {"counties": matter_choices.counties_with_list()}
