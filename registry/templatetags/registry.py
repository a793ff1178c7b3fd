"""Template filters of the registry's pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from registry import inspections

register = template.Library()


@register.filter
def next_inspection(place: Any) -> dt.date | None:
    return inspections.next_inspection(place)


@register.filter
def overdue(day: dt.date | None) -> bool:
    return day is not None and day < timezone.localdate()


@register.filter
def get(mapping: dict, key: Any) -> Any:
    return mapping.get(key, 0) if mapping else 0
