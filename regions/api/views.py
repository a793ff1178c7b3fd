"""Regions and grids over REST; the public point → grid lookup (R8.3, R8.4)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access.public import public_get
from gridgov.errors import NotFound
from gridgov.parsing import query_int
from regions import geometry as geo
from regions import index as grid_index
from regions.api.serializers import (
    GridDetailSerializer,
    GridSerializer,
    LocateResultSerializer,
    RegionSerializer,
)
from regions.models import Grid, Region


@extend_schema(
    summary="Which grid contains this point?",
    parameters=[
        OpenApiParameter("lng", OpenApiTypes.DOUBLE, required=True, description="longitude"),
        OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True, description="latitude"),
        OpenApiParameter(
            "coord",
            OpenApiTypes.STR,
            enum=list(geo.COORD_SYSTEMS),
            description="datum of lng/lat: wgs84 (default, = cgcs2000 here) or gcj02 "
            "(what most Chinese phone map SDKs return)",
        ),
    ],
    responses={
        200: LocateResultSerializer,
        404: OpenApiResponse(description="no grid contains the point"),
    },
    tags=["grids"],
)
@public_get
def locate(request: Request) -> Response:
    """R8.3/R8.4: public point → grid lookup, answered by the in-memory index."""
    lng, lat = geo.parse_lng_lat(request.query_params.get("lng"), request.query_params.get("lat"))
    lng, lat = geo.to_wgs84(lng, lat, request.query_params.get("coord", "wgs84"))
    found = grid_index.get_index().locate(lng, lat)
    # The row can be gone if a change committed in another process a moment ago (the index of
    # this process is rebuilt on the next lookup that sees the new generation).
    grid = Grid.objects.current().filter(pk=found.grid_id).first() if found else None
    if grid is None:
        raise NotFound(
            gettext("no grid contains the point %(point)s") % {"point": f"{lng:.6f},{lat:.6f}"}
        )
    codes = grid.region_codes()
    names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
    body = {"code": grid.code, "name": grid.name, "lng": lng, "lat": lat}
    for level, code in codes.items():
        body[level] = {"code": code, "name": names.get(code, "")}
    return Response(body)


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The administrative tree (public: region names and codes are official public data)."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    filterset_fields = {"level": ["exact"], "parent__code": ["exact"], "code": ["startswith"]}

    def get_queryset(self) -> QuerySet[Region]:
        return Region.objects.select_related("parent").defer("geometry_wkb")


class GridViewSet(viewsets.ReadOnlyModelViewSet):
    """Current grids (public disclosure, R8.4); ``?history=1`` includes retired versions."""

    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[0-9]{15}"
    filterset_fields = {"code": ["exact", "startswith"], "village__code": ["exact"]}

    def get_queryset(self) -> QuerySet[Grid]:
        qs = Grid.objects.select_related("village")
        if self.action == "list":
            qs = qs.defer("geometry_wkb")
            if self.request.query_params.get("history") not in {"1", "true"}:
                qs = qs.current()
        return qs

    def get_serializer_class(self):
        return GridDetailSerializer if self.action == "retrieve" else GridSerializer

    def get_object(self) -> Grid:
        qs = self.get_queryset().filter(code=self.kwargs["code"])
        version = query_int(self.request.query_params, "version", minimum=1)
        if version is not None:
            return get_object_or_404(qs, version=version)
        return get_object_or_404(qs.current())
