"""Grid changes over REST, for the grid agencies (R8.1, R8.2).

Unlike the public read endpoints (R8.4), these are staff-only and scoped
(``gridgov.access.api``): a grid or region outside the user's jurisdiction is not there (404).
Every change is a service call, and the service decides who may make it: the county agency
with the townships draws (R8.1), the city agency acknowledges the filing (R8.2) — 403 for
anyone else. A change that would break seamless coverage is refused with 400 and the
problems' kind, codes, area, a point and the piece as GeoJSON (``problems``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access.api import ScopedReadOnlyViewSet, ScopedViewSet
from gridgov.errors import DomainError
from regions import editing, reporting, services
from regions.api import serializers as s
from regions.models import Grid, GridChange, Region
from regions.services import GridSpec

REFUSED = OpenApiResponse(
    description="refused: bad input, or the change would break coverage (``problems`` lists "
    "each problem with kind, codes, area_m2, point [lng, lat] and geometry)"
)
FORBIDDEN = OpenApiResponse(description="the user's role may not make this change (R8.1, R8.2)")


def _validated(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _result(grids: list[Grid], request: Request) -> dict[str, Any]:
    change = grids[0].created_by_change if grids else None
    return s.GridChangeResultSerializer(
        {"change": change, "grids": grids}, context={"request": request}
    ).data


def _needs_polygon(grid: Grid) -> None:
    if grid.geometry is None:
        raise DomainError(
            gettext("this grid has no polygon to cut"), field="line", code="no_geometry"
        )


def _choices(data: dict[str, Any]) -> dict[str, Any]:
    return {"workers": data.get("workers") or {}, "accept_vacant": data.get("accept_vacant") or []}


def _split_parts(grid: Grid, data: dict[str, Any]) -> list[GridSpec]:
    if data.get("line"):
        _needs_polygon(grid)
        names = data.get("names") or []
        pieces = editing.split_by_line(grid.geometry, data["line"])
        return [
            GridSpec(piece, name=names[i] if i < len(names) else "")
            for i, piece in enumerate(pieces)
        ]
    return [
        GridSpec(p["geometry"], p.get("name", ""), p.get("households"), p.get("population"))
        for p in data["parts"]
    ]


def _redraw_geometries(grid: Grid, data: dict[str, Any]) -> dict[str, Any]:
    geometries = data["geometries"]
    if grid.code not in geometries:
        raise DomainError(
            gettext("geometries must include this grid (%(code)s)") % {"code": grid.code},
            field="geometries",
        )
    return geometries


def _change_schema(
    summary: str,
    request: type,
    answer: Any = s.GridChangeResultSerializer,
    status_code: int = status.HTTP_200_OK,
) -> Callable[[Any], Any]:
    """The schema of a change action: its input, its answer, and the two refusals."""
    return extend_schema(
        summary=summary,
        request=request,
        responses={status_code: answer, 400: REFUSED, 403: FORBIDDEN},
    )


@extend_schema(tags=["grid changes"])
class GridChangeActionsViewSet(ScopedViewSet):
    """Split, merge, redraw and update a current grid; its history (R8.1 动态调整)."""

    queryset = Grid.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[0-9]{15}"
    # Seeing the grid is enough to reach the action: the service decides who may change it.
    action_scopes = {
        "change_preview": "view",
        "split": "view",
        "split_preview": "view",
        "merge": "view",
        "redraw": "view",
        "update_figures": "view",
        "history": "view",
    }

    def get_queryset(self) -> QuerySet[Grid]:
        grids = super().get_queryset().select_related("village")
        return grids if self.action == "history" else grids.current()

    def _grid_input(self, serializer_class: type) -> tuple[Grid, dict[str, Any]]:
        # The grid first: one out of reach is a 404 before its input is a 400.
        grid = self.get_object()
        return grid, _validated(serializer_class, self.request)

    @_change_schema(
        "Split a grid into parts (drawn parts, or cut along a line)",
        s.SplitSerializer,
        status_code=status.HTTP_201_CREATED,
    )
    @action(detail=True, methods=["post"])
    def split(self, request: Request, code: str) -> Response:
        grid = self.get_object()
        services.require_drawer(request.user, grid.village_code)
        data = _validated(s.SplitSerializer, request)
        parts = _split_parts(grid, data)
        new = services.split_grid(
            request.user, grid.code, parts, reason=data["reason"], **_choices(data)
        )
        return Response(_result(new, request), status=status.HTTP_201_CREATED)

    @_change_schema(
        "Preview a split along a line: the parts with their areas (changes nothing)",
        s.SplitPreviewSerializer,
        answer=s.SplitPreviewPartSerializer(many=True),
    )
    @action(detail=True, methods=["post"], url_path="split-preview")
    def split_preview(self, request: Request, code: str) -> Response:
        grid = self.get_object()
        services.require_drawer(request.user, grid.village_code)
        data = _validated(s.SplitPreviewSerializer, request)
        _needs_polygon(grid)
        parts = editing.preview_split(grid, editing.split_by_line(grid.geometry, data["line"]))
        return Response([p.as_dict() for p in parts])

    @_change_schema(
        "Merge this grid with adjacent grids of its village into one new grid",
        s.MergeSerializer,
        status_code=status.HTTP_201_CREATED,
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, code: str) -> Response:
        grid, data = self._grid_input(s.MergeSerializer)
        codes = [grid.code, *[c for c in data["codes"] if c != grid.code]]
        new = services.merge_grids(
            request.user, codes, name=data["name"], reason=data["reason"], **_choices(data)
        )
        return Response(_result([new], request), status=status.HTTP_201_CREATED)

    @_change_schema(
        "Redraw this grid and the neighbours whose shared border moves with it", s.RedrawSerializer
    )
    @action(detail=True, methods=["post"])
    def redraw(self, request: Request, code: str) -> Response:
        grid, data = self._grid_input(s.RedrawSerializer)
        geometries = _redraw_geometries(grid, data)
        new = services.redraw_grids(
            request.user, geometries, reason=data["reason"], **_choices(data)
        )
        return Response(_result(new, request))

    @_change_schema(
        "Preview a split, merge or redraw: the open cases and the people it moves, "
        "the grids it would leave without a leader, what would break (changes nothing)",
        s.ChangePreviewSerializer,
        answer=s.ChangePreviewResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path="change-preview")
    def change_preview(self, request: Request, code: str) -> Response:
        grid, data = self._grid_input(s.ChangePreviewSerializer)
        user, choices = request.user, _choices(data)
        if data["kind"] == "split":
            parts = _split_parts(grid, data)
            body = services.preview_split(user, grid.code, parts, **choices)
        elif data["kind"] == "merge":
            codes = [grid.code, *[c for c in data["codes"] if c != grid.code]]
            body = services.preview_merge(user, codes, name=data["name"], **choices)
        else:
            body = services.preview_redraw(user, _redraw_geometries(grid, data), **choices)
        return Response(s.ChangePreviewResultSerializer(body).data)

    @_change_schema(
        "Change the grid's name, households or population (a new version)", s.GridUpdateSerializer
    )
    @action(detail=True, methods=["post", "patch"], url_path="update")
    def update_figures(self, request: Request, code: str) -> Response:
        grid, data = self._grid_input(s.GridUpdateSerializer)
        new = services.update_grid(
            request.user,
            grid.code,
            name=data.get("name"),
            households=data.get("households"),
            population=data.get("population"),
            reason=data["reason"],
        )
        return Response(_result([new], request))

    @extend_schema(
        summary="Every version of the grid, with the changes that made and retired it",
        responses={200: s.GridVersionSerializer(many=True)},
    )
    # A grid has a handful of versions: the whole history in one array, not pages.
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, code: str) -> Response:
        versions = list(
            self.get_queryset()
            .filter(code=code)
            .select_related("created_by_change", "retired_by_change")
            .order_by("version")
        )
        if not versions:
            raise Http404(gettext("no grid with this code"))
        return Response(s.GridVersionSerializer(versions, many=True).data)


@extend_schema(
    tags=["grid changes"],
    parameters=[
        OpenApiParameter("filing_status", OpenApiTypes.STR, enum=["submitted", "acknowledged"]),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter(
            "region", OpenApiTypes.STR, description="only changes under this region code"
        ),
    ],
)
class GridChangeViewSet(ScopedReadOnlyViewSet):
    """Grid changes filed with the city (R8.2), newest first, inside the user's jurisdiction."""

    queryset = GridChange.objects.select_related(
        "region", "filed_with", "made_by", "acknowledged_by"
    )
    serializer_class = s.GridChangeSerializer

    def get_queryset(self) -> QuerySet[GridChange]:
        changes = super().get_queryset()
        params = self.request.query_params
        if params.get("filing_status"):
            changes = changes.filter(filing_status=params["filing_status"])
        if params.get("kind"):
            changes = changes.filter(kind=params["kind"])
        if params.get("region"):
            changes = changes.filter(region__code__startswith=params["region"])
        return changes.order_by("-made_at", "-id")

    @extend_schema(
        summary="Acknowledge a filed grid change (the city agency's administrator, R8.2)",
        request=s.AcknowledgeSerializer,
        responses={200: s.GridChangeSerializer, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        change = self.get_object()
        data = _validated(s.AcknowledgeSerializer, request)
        change = services.acknowledge_filing(request.user, change.pk, note=data["note"])
        return Response(s.GridChangeSerializer(change).data)


@extend_schema(tags=["grid changes"])
class RegionCoverageViewSet(ScopedViewSet):
    """The coverage report of a region (R8.1 无缝覆盖), staff-only and scoped."""

    queryset = Region.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[0-9]{2,12}"

    @extend_schema(
        summary="Coverage report: outside / overlap / gap problems and size warnings",
        parameters=[
            OpenApiParameter(
                "refresh", OpenApiTypes.BOOL, description="recompute instead of the cached report"
            )
        ],
        responses={200: s.CoverageReportSerializer},
    )
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, code: str) -> Response:
        region = self.get_object()
        refresh = request.query_params.get("refresh") in {"1", "true"}
        return Response(reporting.region_report(region, refresh=refresh))
