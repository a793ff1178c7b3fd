"""Template helpers: show a link only to users who may open it (gridgov.access.scoping decides)."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps

from gridgov.access import scoping

register = template.Library()


@register.filter
def can_see(user: Any, model_label: str) -> bool:
    """``{% if user|can_see:"people.GridWorker" %}``: the user holds a role the model admits."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scoping.can_view_any(user, apps.get_model(model_label))


@register.filter
def holds(user: Any, roles: str) -> bool:
    """``{% if user|holds:"sysadmin,agency_admin" %}``"""
    return scoping.has_role(user, [r.strip() for r in roles.split(",") if r.strip()])
