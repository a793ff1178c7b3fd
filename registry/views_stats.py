"""A grid's statistics and the per-grid table of a township or county (R11.1 (二)); the
numbers come from ``registry.stats`` (one grouped query per block, scoped)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.access import scoping
from gridgov.access.web import ScopedView
from gridgov.errors import NotFound
from regions.models import Grid, Region
from registry import filters, stats
from registry.models import ResidentKind, RiskLevel
from registry.visibility import SpecialGroupKind


def _labels() -> dict[str, dict[str, str]]:
    return {
        "residents": dict(ResidentKind.choices),
        "groups": dict(SpecialGroupKind.choices),
        "places": dict(RiskLevel.choices),
    }


class GridStatisticsView(ScopedView):
    """``/registry/grids/<code>/``: one grid's households, residents by kind, special groups by
    kind (the kinds the user may see), places by risk level, due and overdue visits and
    inspections; a grid outside the user's jurisdiction is not found."""

    model = Grid

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        try:
            numbers = stats.grid_statistics(request.user, code)
        except NotFound:
            raise Http404 from None
        context = {"s": numbers, "grid": numbers["grid"], "labels": _labels(),
                   "due_within": stats.DUE_WITHIN}  # fmt: skip
        return render(request, "registry/grid_statistics.html", context)


class AreaStatisticsView(ScopedView):
    """``/registry/statistics/?area=<code>``: the same numbers per grid of a township or
    county of the user's jurisdiction (default: the one code covering it)."""

    model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        area = filters.parse(request.GET).area or scoping.home_code(request.user)
        if len(area) >= stats.GRID_CODE_LENGTH:
            area = area[:12]
        table = stats.area_statistics(request.user, area) if area else None
        region = scoping.scope_queryset(request.user, Region.objects.filter(code=area)).first()
        context = {
            "area": area,
            "region": region,
            "table": table,
            "labels": _labels(),
            "due_within": stats.DUE_WITHIN,
        }
        return render(request, "registry/area_statistics.html", context)
