"""Grid management in the agency console (issue 6; R8.1, R8.2), server-rendered.

- ``/grids/``: the region browser — county → township → village, the grids of each drawn on a
  map, vacant grids (no active leader, asked of ``regions.staffing``) highlighted;
- ``/grids/<code>/``: one grid — polygon, figures, every version with the changes that made and
  retired it, its workers, and the actions this user may take;
- ``/grids/regions/<village>/edit/``: the map editor (split along a drawn line, merge adjacent
  grids, move shared borders) — the page calls the grid-change API (``regions.api.changes``)
  (in ``regions.views_editor``; the Shapefile import in ``regions.views_import``);
- ``/grids/regions/<code>/coverage/``: the coverage report of a region, on a map;
- ``/grids/filings/``: grid changes filed with the city, acknowledged there (R8.2).

Every queryset goes through ``gridgov.access.scoping`` (``gridgov.access.web`` views): a region
or grid outside the user's jurisdiction is a 404. Changes are service calls; the services decide
who may make them (403 otherwise), and the pages offer an action only to those who may take it.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page

from gridgov.access import scoping
from gridgov.access.web import ScopedDetailView, ScopedListView, ScopedView, safe_next
from gridgov.errors import DomainError, Forbidden
from gridgov.parsing import INT32_MAX, parse_int
from regions import geometry as geo
from regions import index as grid_index
from regions import reporting, services, staffing
from regions.models import Grid, GridChange, Level, Region

# Display geometry for overview maps: ~10 m simplification, ~1 m rounding (cf. cases.mapdata).
SIMPLIFY_TOLERANCE = 1e-4
PRECISION = 1e-5
MAP_CACHE_SECONDS = 24 * 3600
# Levels whose map shows every grid under them (a city has thousands: its counties suffice).
GRID_LAYER_LEVELS = {Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}


def may_draw(user: Any, region_code: str) -> bool:
    """May the user change the grids under ``region_code`` (R8.1)? For showing actions only:
    the services check again."""
    try:
        services.require_drawer(user, region_code)
    except Forbidden:
        return False
    return True


def may_acknowledge(user: Any, change: GridChange) -> bool:
    try:
        services.require_acknowledger(user, change)
    except Forbidden:
        return False
    return True


def _features(rows: list[tuple[dict[str, Any], bytes]], *, simplify: bool) -> list[str]:
    """GeoJSON feature texts for (properties, wkb) rows, in one vectorised pass."""
    rows = [r for r in rows if r[1] is not None]
    if not rows:
        return []
    geoms = shapely.from_wkb(np.array([bytes(wkb) for _props, wkb in rows], dtype=object))
    if simplify:
        geoms = shapely.simplify(geoms, SIMPLIFY_TOLERANCE, preserve_topology=True)
        geoms = shapely.set_precision(geoms, PRECISION, mode="pointwise")
    texts = shapely.to_geojson(geoms)
    return [
        '{"type":"Feature","properties":'
        + json.dumps(props, ensure_ascii=False)
        + ',"geometry":'
        + text
        + "}"
        for (props, _wkb), text in zip(rows, texts, strict=True)
    ]


def _collection(features: list[str]) -> str:
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def region_layers(region: Region) -> str:
    """The region's outline, its children and (county and below) its current grids, as JSON
    text; cached per region and grid generation."""
    key = f"regions:staff-map:{region.code}:{grid_index.current_generation()}"
    text = cache.get(key)
    if text is not None:
        return text
    outline = _features(
        [({"code": region.code, "name": region.name}, region.geometry_wkb)], simplify=True
    )
    children = _features(
        [
            ({"code": code, "name": name, "level": level}, wkb)
            for code, name, level, wkb in Region.objects.filter(parent=region)
            .order_by("code")
            .values_list("code", "name", "level", "geometry_wkb")
        ],
        simplify=True,
    )
    grids: list[str] = []
    if region.level in GRID_LAYER_LEVELS:
        grids = _features(
            [
                ({"code": code, "name": name, "households": households}, wkb)
                for code, name, households, wkb in Grid.objects.current()
                .within(region.code)
                .order_by("code")
                .values_list("code", "name", "households", "geometry_wkb")
            ],
            simplify=region.level != Level.VILLAGE,
        )
    text = (
        '{"outline":'
        + _collection(outline)
        + ',"children":'
        + _collection(children)
        + ',"grids":'
        + _collection(grids)
        + "}"
    )
    cache.set(key, text, MAP_CACHE_SECONDS)
    return text


def vacant_codes(user: Any, prefix: str) -> list[str]:
    """The codes of the vacant grids (no active leader) under ``prefix`` that the user sees."""
    return list(
        staffing.vacant_grids(user).filter(code__startswith=prefix).values_list("code", flat=True)
    )


def breadcrumbs(user: Any, region: Region, *, link_last: bool = False) -> list[dict[str, Any]]:
    """The region's path; ancestors outside the user's jurisdiction are shown without links
    (and the page's own region, unless ``link_last``)."""
    path = region.path()
    visible = set(
        scoping.scope_queryset(
            user, Region.objects.filter(code__in=[r.code for r in path])
        ).values_list("code", flat=True)
    )
    if not link_last:
        visible.discard(region.code)
    return [{"region": r, "link": r.code in visible} for r in path]


# --- region browser -------------------------------------------------------------------------


class RegionScopedMixin:
    model = Region
    slug_field = "code"
    slug_url_kwarg = "code"

    def region_or_404(self, code: str) -> Region:
        """The region with this code, if it lies in the user's jurisdiction."""
        region = self.get_queryset().filter(code=code).first()  # type: ignore[attr-defined]
        if region is None:
            raise Http404("no region with this code in your jurisdiction")
        return region


def _region_context(request: HttpRequest, region: Region) -> dict[str, Any]:
    user = request.user
    children = list(Region.objects.filter(parent=region).order_by("code").defer("geometry_wkb"))
    n = len(region.code) + {Level.PROVINCE: 2, Level.CITY: 2, Level.COUNTY: 3}.get(region.level, 3)
    grid_counts: dict[str, int] = {}
    vacant_counts: dict[str, int] = {}
    if region.level != Level.VILLAGE:
        grid_counts = dict(
            Grid.objects.current()
            .within(region.code)
            .annotate(prefix=Substr("code", 1, n))
            .values_list("prefix")
            .annotate(c=Count("pk"))
            .order_by()
        )
        vacant_counts = dict(
            staffing.vacant_grids(user)
            .filter(code__startswith=region.code)
            .annotate(prefix=Substr("code", 1, n))
            .values_list("prefix")
            .annotate(c=Count("pk"))
            .order_by()
        )
    rows = [
        {
            "region": child,
            "grids": grid_counts.get(child.code, 0),
            "vacant": vacant_counts.get(child.code, 0),
        }
        for child in children
    ]
    grids: list[Grid] = []
    vacant: list[str] = []
    if region.level == Level.VILLAGE:
        grids = list(
            Grid.objects.current().filter(village=region).defer("geometry_wkb").order_by("code")
        )
        vacant = vacant_codes(user, region.code)
    return {
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "children": rows,
        "grids": grids,
        "vacant": vacant,
        "may_draw": region.level in {Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE}
        and may_draw(user, region.code),
        "map_url": reverse("regions:region-map", args=[region.code]),
    }


class BrowserView(RegionScopedMixin, ScopedView):
    """The regions of the user's jurisdiction; with one, that region's page directly."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if scoping.is_unrestricted(user):
            roots = list(Region.objects.filter(level=Level.CITY).defer("geometry_wkb"))
        else:
            prefixes = scoping.jurisdictions(user)
            roots = list(self.get_queryset().filter(code__in=prefixes).defer("geometry_wkb"))
        if len(roots) == 1:
            region = Region.objects.get(pk=roots[0].pk)
            return render(request, "regions/staff/region.html", _region_context(request, region))
        return render(request, "regions/staff/browser.html", {"roots": roots})


class RegionView(RegionScopedMixin, ScopedDetailView):
    """One region: its children (with grid and vacancy counts) or, for a village, its grids."""

    template_name = "regions/staff/region.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(_region_context(self.request, self.object))
        return context


class RegionMapView(RegionScopedMixin, ScopedView):
    """Map layers of a region page: outline, children, grids (cached), vacant grid codes."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        region = self.region_or_404(code)
        vacant = (
            vacant_codes(request.user, region.code) if region.level in GRID_LAYER_LEVELS else []
        )
        text = '{"layers":' + region_layers(region) + ',"vacant":' + json.dumps(vacant) + "}"
        response = HttpResponse(text, content_type="application/json")
        response["Cache-Control"] = "private, no-cache"
        return response


region_map = gzip_page(RegionMapView.as_view())  # plain JSON without secrets (no BREACH)


# --- one grid --------------------------------------------------------------------------------


class GridScopedMixin:
    model = Grid
    slug_field = "code"
    slug_url_kwarg = "code"

    def latest_version(self, code: str) -> Grid:
        """The current version, or the last one of a retired code; 404 outside the scope."""
        grid = (
            self.get_queryset()  # type: ignore[attr-defined]
            .filter(code=code)
            .select_related("village", "created_by_change")
            .order_by("-version")
            .first()
        )
        if grid is None:
            raise Http404("no grid with this code in your jurisdiction")
        return grid


class GridView(GridScopedMixin, ScopedDetailView):
    template_name = "regions/staff/grid.html"
    context_object_name = "grid"

    def get_object(self, queryset: QuerySet | None = None) -> Grid:
        return self.latest_version(self.kwargs["code"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        grid: Grid = self.object
        user = self.request.user
        versions = list(
            self.get_queryset()
            .filter(code=grid.code)
            .select_related("created_by_change", "retired_by_change")
            .defer("geometry_wkb")
            .order_by("-version")
        )
        neighbours = [
            {"code": g.code, "name": g.name, "geometry": geo.to_geojson(g.geometry, precision=6)}
            for g in Grid.objects.current().filter(village=grid.village).exclude(code=grid.code)
        ]
        staff = staffing.grid_workers(user, grid.code)
        context.update(
            versions=versions,
            workers=staff.workers,
            has_leader=staff.has_leader,
            crumbs=breadcrumbs(user, grid.village, link_last=True),
            may_draw=grid.is_current and may_draw(user, grid.village_code),
            map_data={
                "grid": {
                    "code": grid.code,
                    "name": grid.name,
                    "geometry": geo.to_geojson(grid.geometry, precision=6),
                },
                "neighbours": neighbours,
                "village": geo.to_geojson(grid.village.geometry, precision=6),
            },
        )
        return context


class GridUpdateView(GridScopedMixin, ScopedView):
    """Name, households and population of a grid (a new version; filed with the city)."""

    template_name = "regions/staff/grid_update.html"

    def _grid(self, code: str) -> Grid:
        grid = self.get_queryset().current().filter(code=code).select_related("village").first()
        if grid is None:
            raise Http404("no current grid with this code in your jurisdiction")
        if not may_draw(self.request.user, grid.village_code):
            raise PermissionDenied(_("网格由县级网格化机构会同乡镇(街道)调整"))
        return grid

    def _render(
        self,
        request: HttpRequest,
        grid: Grid,
        values: dict[str, Any],
        error: DomainError | None = None,
    ) -> HttpResponse:
        context = {
            "grid": grid,
            "values": values,
            "error": error,
            "crumbs": breadcrumbs(request.user, grid.village, link_last=True),
        }
        return render(request, self.template_name, context, status=400 if error else 200)

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        grid = self._grid(code)
        values = {
            "name": grid.name,
            "households": grid.households,
            "population": grid.population,
            "reason": "",
        }
        return self._render(request, grid, values)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        grid = self._grid(code)
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("name", "households", "population", "reason")
        }
        try:
            counts = {}
            for field in ("households", "population"):
                if values[field] == "":
                    continue
                count = parse_int(values[field], maximum=INT32_MAX)
                if count is None:
                    raise DomainError(
                        _("请填写 0 到 %(max)s 之间的整数") % {"max": INT32_MAX}, field=field
                    )
                counts[field] = count
            new = services.update_grid(
                request.user,
                grid.code,
                name=values["name"] or None,
                reason=values["reason"],
                **counts,
            )
        except DomainError as exc:
            return self._render(request, grid, values, error=exc)
        if new.pk == grid.pk:
            messages.info(request, _("没有改动。"))
        else:
            messages.success(
                request,
                _("已保存为第 %(version)s 版,并报备至市级网格化机构。") % {"version": new.version},
            )
        return HttpResponseRedirect(reverse("regions:grid", args=[grid.code]))


# --- coverage report ------------------------------------------------------------------------

PROBLEM_KINDS = {
    "outside": gettext_lazy("超出上级"),
    "overlap": gettext_lazy("重叠"),
    "gap": gettext_lazy("缝隙"),
    "no_geometry": gettext_lazy("缺少边界"),
    "size": gettext_lazy("规模"),
}


def _place_url(code: str) -> str:
    if len(code) == 15:
        return reverse("regions:grid", args=[code])
    return reverse("regions:region", args=[code])


def _report_context(report: dict[str, Any] | None) -> dict[str, Any]:
    """Rows for the problem table and the map's data (the same order: a row's index is the
    problem's on the map)."""
    if report is None:
        return {"report": None, "rows": [], "problems": []}
    rows = [
        {
            **problem,
            "kind_label": PROBLEM_KINDS.get(problem["kind"], problem["kind"]),
            "links": [{"code": c, "url": _place_url(c)} for c in problem["codes"]],
        }
        for problem in report["problems"]
    ]
    return {"report": report, "rows": rows, "problems": report["problems"]}


class CoverageView(RegionScopedMixin, ScopedDetailView):
    """The region's coverage report (R8.1): the page at once, the report when it is ready."""

    template_name = "regions/staff/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        region = self.object
        context.update(
            crumbs=breadcrumbs(self.request.user, region, link_last=True),
            map_url=reverse("regions:region-map", args=[region.code]),
            **_report_context(reporting.cached_report(region)),
        )
        return context


class CoverageResultView(RegionScopedMixin, ScopedView):
    """The report itself (htmx fragment): computed when not cached, ``?refresh=1`` again."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        region = self.region_or_404(code)
        refresh = request.GET.get("refresh") == "1"
        report = reporting.region_report(region, refresh=refresh)
        return render(
            request,
            "regions/staff/_coverage_result.html",
            {"region": region, **_report_context(report)},
        )


# --- filings (R8.2) -------------------------------------------------------------------------


class FilingListView(ScopedListView):
    """Grid changes filed with the city, newest first; acknowledge where allowed (R8.2)."""

    model = GridChange
    template_name = "regions/staff/filings.html"
    context_object_name = "changes"

    def get_queryset(self) -> QuerySet[GridChange]:
        changes = (
            super()
            .get_queryset()
            .select_related("region", "filed_with", "made_by", "acknowledged_by")
        )
        status = self.request.GET.get("status", "")
        if status in GridChange.Filing.values:
            changes = changes.filter(filing_status=status)
        return changes.order_by("-made_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = [
            {
                "change": c,
                "may_acknowledge": c.filing_status == GridChange.Filing.SUBMITTED
                and may_acknowledge(user, c),
            }
            for c in context["changes"]
        ]
        context.update(
            rows=rows,
            status=self.request.GET.get("status", ""),
            statuses=GridChange.Filing.choices,
        )
        return context


class AcknowledgeView(ScopedView):
    model = GridChange
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        change = self.get_queryset().filter(pk=pk).first()
        if change is None:
            raise Http404("no grid change with this id in your jurisdiction")
        back = safe_next(request, reverse("regions:filings"))
        try:
            services.acknowledge_filing(request.user, change.pk, note=request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已确认报备 #%(id)s。") % {"id": change.pk})
        return HttpResponseRedirect(back)
