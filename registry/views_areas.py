"""The area filter of the registry's console (R11.1, R22.1): at any size of jurisdiction.

A jurisdiction of up to :data:`SELECT_LIMIT` grids gets a select of its villages and grids;
a larger one (a county, a city: thousands of grids) gets a code field, with suggestions by
name or code searched as one types (htmx, ``registry:areas``, at most :data:`SUGGESTIONS`).
Either way the chosen code is checked once (:func:`area_filter`): a code that names no
village, township, county or grid the user may see is refused on the field (400, the list
empty, nothing exported). Text that is not a code at all (a name typed without picking a
suggestion) is, like every malformed filter (``registry.filters``), not applied, and the
field says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.access import scoping
from gridgov.access.web import ScopedView
from regions.models import Grid, Region
from registry import filters

SELECT_LIMIT = 300
SUGGESTIONS = 20


@dataclass(frozen=True)
class AreaFilter:
    """What the page's area field shows: a select (``choices``) or a code field with the
    chosen area's name; ``error`` when the code given is refused."""

    choices: tuple[tuple[str, str], ...] = ()
    searched: bool = False
    raw: str = ""  # as typed (a code or a name: not personal data)
    label: str = ""
    error: str = ""
    refused: bool = False  # a well-formed code outside the jurisdiction: nothing is listed


def _grids(user: Any) -> Any:
    return scoping.scope_queryset(user, Grid.objects.current())


def select_choices(user: Any) -> tuple[tuple[str, str], ...] | None:
    """The villages and grids of the jurisdiction, or None when there are too many."""
    grids = list(_grids(user).select_related("village").order_by("code")[: SELECT_LIMIT + 1])
    if len(grids) > SELECT_LIMIT:
        return None
    out: list[tuple[str, str]] = []
    village = ""
    for grid in grids:
        if grid.village.code != village:
            village = grid.village.code
            out.append((village, grid.village.name))
        out.append((grid.code, f"· {grid.name}"))
    return tuple(out)


def area_name(user: Any, code: str) -> str | None:
    """The name of the grid or region ``code`` when the user may see it, else None."""
    if len(code) == 15:
        grid = _grids(user).select_related("village").filter(code=code).first()
        return f"{grid.village.name} · {grid.name}" if grid is not None else None
    region = scoping.scope_queryset(user, Region.objects.filter(code=code)).first()
    return region.name if region is not None else None


def area_filter(user: Any, params: Any, f: filters.Filters) -> AreaFilter:
    """The area field of a console page for ``params`` (its query) parsed as ``f``."""
    raw = str(params.get("area", "") or "").strip()[:40]
    choices = select_choices(user)
    error = label = ""
    refused = False
    if raw and not f.area:
        error = _("请填写村(社区)、镇街或网格的数字代码(未按区域筛选)")
    elif f.area:
        name = area_name(user, f.area)
        if name is None:
            error = _("代码 %(code)s 不是您辖区内的村(社区)、镇街或网格") % {"code": f.area}
            refused = True
        else:
            label = name
    return AreaFilter(
        choices=choices or (), searched=choices is None, raw=raw, label=label, error=error,
        refused=refused,
    )  # fmt: skip


class AreaSearchView(ScopedView):
    """Suggestions for the area field: villages, townships and grids of my jurisdiction whose
    name contains, or whose code starts with, what was typed (a fragment of ``<option>``s)."""

    scope_model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("area", request.GET.get("q", "")).strip()[:40]
        found: list[tuple[str, str]] = []
        if q:
            by = Q(code__startswith=q) if q.isdigit() else Q(name__icontains=q)
            regions = scoping.scope_queryset(request.user, Region.objects.filter(by))
            found += [(r.code, r.name) for r in regions.order_by("code")[:SUGGESTIONS]]
            grids = self.get_queryset().filter(by, valid_to__isnull=True).select_related("village")
            found += [
                (g.code, f"{g.village.name} · {g.name}")
                for g in grids.order_by("code")[: SUGGESTIONS - len(found)]
            ]
        return render(request, "registry/_area_options.html", {"options": found[:SUGGESTIONS]})
