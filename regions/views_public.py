"""Public disclosure pages for grids (R8.4): what any resident may see, no login."""

from __future__ import annotations

import io

import segno
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from gridgov.parsing import is_digits
from regions import geometry as geo
from regions import staffing
from regions.models import Grid
from regions.succession import current_successors


def public_grid_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    grids = Grid.objects.current().select_related("village").defer("geometry_wkb")
    if q:
        if is_digits(q):
            grids = grids.filter(code__startswith=q)
        else:
            grids = grids.filter(Q(name__icontains=q) | Q(village__name__icontains=q))
    page = Paginator(grids.order_by("code"), 50).get_page(request.GET.get("page"))
    return render(request, "regions/public_grid_list.html", {"page": page, "q": q})


def public_grid_detail(request: HttpRequest, code: str) -> HttpResponse:
    grid = Grid.objects.current().select_related("village").filter(code=code).first()
    if grid is None:
        return _retired_grid(request, code)
    return render(
        request,
        "regions/public_grid_detail.html",
        {
            "grid": grid,
            "path": grid.village.path(),
            "geometry": geo.to_geojson(grid.geometry, precision=6),
            # Grid workers' names, kinds and work phones, and the supervision phone (R8.4).
            "disclosure": staffing.disclosure(grid),
        },
    )


def _retired_grid(request: HttpRequest, code: str) -> HttpResponse:
    """A retired grid's page (R8.4): its notice board and QR code may still hang in the
    street, so it says which grids it is now part of, with a link to each."""
    last = Grid.objects.filter(code=code).select_related("village").order_by("-version").first()
    if last is None:
        raise Http404("no grid with this code")
    return render(
        request,
        "regions/public_grid_retired.html",
        {"grid": last, "path": last.village.path(), "successors": current_successors(code)},
    )


@require_GET
def public_grid_qr(request: HttpRequest, code: str) -> HttpResponse:
    """R8.4 (pushable to residents by QR code): an SVG QR code that opens the grid's public
    page, to print on the grid's notice board. A retired grid keeps its code: the page it
    opens says which grids took over."""
    if not Grid.objects.filter(code=code).exists():
        raise Http404("no grid with this code")
    url = request.build_absolute_uri(reverse("public-grid", args=[code]))
    buffer = io.BytesIO()
    # omitsize: a viewBox only, so the page (screen or print) decides how large it is
    segno.make(url, error="m").save(
        buffer, kind="svg", border=4, xmldecl=False, omitsize=True, title=url
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=86400)
    return response
