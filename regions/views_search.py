"""The maps' place search (regions.search) as JSON: the staff's, inside their jurisdiction,
and the public pages', over what is public anyway (R8.4)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from gridgov.access import scoping
from gridgov.access.web import ScopedView
from regions import search
from regions.models import Grid, Region


def _answer(places: list[search.Place], cache: str) -> JsonResponse:
    response = JsonResponse(
        {"results": [p.as_json() for p in places]}, json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = cache
    return response


class StaffPlaceSearchView(ScopedView):
    """``GET /maps/search.json?q=白沙``: villages, townships, counties and grids of the user's
    jurisdiction (the console's and the grid management's maps)."""

    model = Region

    def get(self, request: HttpRequest) -> JsonResponse:
        user = request.user
        places = search.search(
            request.GET.get("q", ""),
            regions=self.get_queryset(),
            grids=scoping.scope_queryset(user, Grid.objects.current()),
            user=user,
        )
        return _answer(places, "private, max-age=60")


@require_GET
def public_place_search(request: HttpRequest) -> JsonResponse:
    """``GET /public/places/search.json?q=``: the same over every current grid and region, for
    the public pages' maps (names, codes and extents are public by design, R8.4)."""
    places = search.search(
        request.GET.get("q", ""), regions=Region.objects.all(), grids=Grid.objects.current()
    )
    return _answer(places, "public, max-age=300")
