"""Public disclosure pages for grids (R8.4): what any resident may see, no login."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from people.public import grid_disclosure
from regions import geometry as geo
from regions.models import Grid


def public_grid_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    grids = Grid.objects.current().select_related("village").defer("geometry_wkb")
    if q:
        if q.isdigit():
            grids = grids.filter(code__startswith=q)
        else:
            grids = grids.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    page = Paginator(grids.order_by("code"), 50).get_page(request.GET.get("page"))
    return render(request, "regions/public_grid_list.html", {"page": page, "q": q})


def public_grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    grid = Grid.objects.current().select_related("village").filter(code=code).first()
    if grid is None:
        raise Http404("no current grid with this code")
    return render(
        request,
        "regions/public_grid_detail.html",
        {
            "grid": grid,
            "path": grid.village.path(),
            "geometry": geo.to_geojson(grid.geometry, precision=6),
            # Grid workers' names, kinds and work phones, and the supervision phone (R8.4).
            "disclosure": grid_disclosure(grid),
        },
    )
