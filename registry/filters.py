"""The filters of the registry's console lists and exports, parsed once (R11.1, R22.1).

One form (:class:`ListFilters`) reads the query string of every list and its export: the page
and the download apply the same :func:`apply` to the same scoped queryset, so an export holds
exactly the rows the page lists. A malformed value is ignored (the list shows everything the
other filters allow); a choice outside its table likewise.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

ID_NUMBER = re.compile(r"^[0-9]{17}[0-9Xx]$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
CODE = re.compile(r"^[0-9]{2,15}$")


def is_personal_number(text: str) -> bool:
    """Is ``text`` a full ID number or mobile number (an exact search, a reveal)?"""
    compact = re.sub(r"[\s-]", "", text)
    return bool(ID_NUMBER.match(compact) or MOBILE.match(compact))


class ListFilters(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    area = forms.RegexField(CODE, required=False)
    kind = forms.CharField(required=False, max_length=32)
    status = forms.CharField(required=False, max_length=16)
    risk = forms.CharField(required=False, max_length=8)
    state = forms.CharField(required=False, max_length=12)
    use = forms.CharField(required=False, max_length=16)
    overdue = forms.BooleanField(required=False)
    worker = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


@dataclass(frozen=True)
class Filters:
    """The parsed filters of one list (empty strings: not filtered)."""

    q: str = ""
    area: str = ""
    kind: str = ""
    status: str = ""
    risk: str = ""
    state: str = ""
    use: str = ""
    overdue: bool = False
    worker: int | None = None

    @property
    def is_number_search(self) -> bool:
        return is_personal_number(self.q)


def parse(params: Any) -> Filters:
    form = ListFilters(params)
    form.is_valid()
    data = {name: form.cleaned_data.get(name) for name in form.fields if name in form.cleaned_data}
    return Filters(
        **{k: v for k, v in data.items() if v not in (None, "")},
    )


def in_area(queryset: QuerySet, area: str, *, prefix: str = "") -> QuerySet:
    """The rows in a grid (15 digits) or under an area code (village, township, county)."""
    if not area:
        return queryset
    if len(area) == 15:
        return queryset.filter(**{f"{prefix}grid_code": area})
    return queryset.filter(
        Q(**{f"{prefix}grid_code__startswith": area})
        | Q(**{f"{prefix}region_code__startswith": area})
    )


def choice(value: str, choices: Any) -> str:
    """``value`` when it is one of ``choices`` (a TextChoices), else "" (not filtered)."""
    return value if value in choices.values else ""


def narrowed(
    queryset: QuerySet, area: str, *choices: tuple[str, Any, str], prefix: str = ""
) -> QuerySet:
    """The rows in ``area`` (:func:`in_area`) whose fields hold each choice the filters name:
    ``choices`` are ``(value, TextChoices, field)``; a value outside its table is no filter."""
    queryset = in_area(queryset, area, prefix=prefix)
    for value, table, field in choices:
        if picked := choice(value, table):
            queryset = queryset.filter(**{field: picked})
    return queryset


def due_by(today: dt.date, within: int, overdue_only: bool) -> dt.date:
    """The last day a visit or an inspection may fall due on to be listed: ``today + within``
    days, or yesterday with ``overdue_only`` (R11.1)."""
    return today - dt.timedelta(days=1) if overdue_only else today + dt.timedelta(days=within)
