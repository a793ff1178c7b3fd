"""Bounded lists for tables of millions of rows (R11.1): keyset pages and capped counts.

A page is the rows after a cursor (the last row's ordering values, in the query string), so
page 1,000 costs what page 1 does; the total is counted up to :data:`COUNT_CAP` rows and shown
as "1000+" beyond, so no page runs a ``COUNT(*)`` over a whole table.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet

COUNT_CAP = 1000
PAGE_SIZE = 50


def bounded_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(rows counted, whether there are more than ``cap``): one query reading at most cap+1
    keys."""
    n = queryset.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def _decode(cursor: str, size: int) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        return None
    return values


def _field(model: type[Model], path: str) -> Any:
    """The model field at the end of ``path`` ("pk", "name", "address__code")."""
    field = None
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def _clean(model: type[Model], order: tuple[str, ...], values: list[Any]) -> list[Any] | None:
    """The cursor's values as their fields' Python values, or None when one is not valid (a
    tampered cursor is the first page, never an error)."""
    try:
        return [
            _field(model, name).to_python(value) for name, value in zip(order, values, strict=True)
        ]
    except (ValidationError, FieldDoesNotExist, TypeError, ValueError):
        return None


def _after(fields: tuple[str, ...], values: list[Any]) -> Q:
    """Rows after ``values`` in the ascending order of ``fields`` (the last one unique)."""
    condition = Q()
    for i in reversed(range(len(fields))):
        step = Q(**{f"{fields[i]}__gt": values[i]})
        for j in range(i):
            step &= Q(**{fields[j]: values[j]})
        condition = step if i == len(fields) - 1 else step | condition
    return condition


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str
    count: int
    more: bool  # more than ``count`` rows in all (the count was capped)
    first: bool  # this is the first page


def page(
    queryset: QuerySet,
    cursor: str,
    *,
    order: tuple[str, ...] = ("pk",),
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """The page of ``queryset`` (ordered by ``order``, ascending, the last field unique) after
    ``cursor`` ("" or unreadable: the first page)."""
    values = _decode(cursor, len(order)) if cursor else None
    if values is not None:
        values = _clean(queryset.model, order, values)
    ordered = queryset.order_by(*order)
    if values is not None:
        ordered = ordered.filter(_after(order, values))
    rows = list(ordered[: size + 1])
    next_cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([_value(last, name) for name in order])
    count, more = bounded_count(queryset)
    return KeysetPage(rows, next_cursor, count, more, values is None)


def _value(row: Any, name: str) -> Any:
    value = row
    for part in name.split("__"):
        value = getattr(value, part)
    return value
