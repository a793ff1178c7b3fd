"""The registry over REST (R11.1, R22.1): every view is scoped (gridgov.access.api), every
change one service call with an input serializer producing its value object."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access import scoping
from gridgov.access.api import ScopedViewSet
from gridgov.parsing import query_id, query_int
from people.api.views import matched_list
from people.models import GridWorker
from people.services import reveal
from registry import due, services
from registry.api import serializers as s
from registry.models import (
    House,
    Organisation,
    Place,
    Resident,
    SpecialGroupTag,
    StandardAddress,
    Thing,
)

REGION_PARAM = OpenApiParameter(
    "region", OpenApiTypes.STR, description="village, grid or region code prefix"
)
Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="name (or address) contains")
MATCH_PARAM = OpenApiParameter(
    "match",
    OpenApiTypes.STR,
    description="exact full ID number or phone (searched by keyed hash). A search by a full "
    "number is a reveal (R22.1): only roles that may reveal personal data, logged in the "
    "personal-data access log, rate-limited per user",
)


def _value(serializer_class: type[s.ValueSerializer], request: Request) -> tuple[Any, dict]:
    """The action's value object and the validated data (for references it does not carry)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.value(), dict(serializer.validated_data)


def _reveal(request: Request, obj: Any, serializer_class: type) -> Response:
    """One protected value in full through people's reveal: authorised, logged (R22.1)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    field = serializer.validated_data["field"]
    value = reveal(request.user, obj, field, reason=serializer.validated_data["reason"])
    return Response({"field": field, "value": value})


def _located(queryset: QuerySet, params: Any, *, prefix: str = "") -> QuerySet:
    if region := params.get("region", "").strip():
        queryset = queryset.filter(
            Q(**{f"{prefix}grid_code__startswith": region})
            | Q(**{f"{prefix}region_code__startswith": region})
        )
    return queryset


class RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """List, show, create (``create_serializer`` → ``create_service``) and update
    (``update_serializer`` → ``update_service``) one kind of registry record."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    create_serializer: type[s.ValueSerializer]
    search_field = "name__icontains"

    def create_service(self, value: Any, data: dict) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        queryset = _located(super().get_queryset(), self.request.query_params)
        if q := self.request.query_params.get("q", "").strip():
            queryset = queryset.filter(**{self.search_field: q})
        return queryset

    def _answer(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(obj).data, status=code)

    def _step(self, serializer_class: type[s.ValueSerializer], service: Any) -> Response:
        """A detail action: the record (404 outside the scope, 403 where it may not change),
        the action's value object, one service call, the record as it is now."""
        obj = self.get_object()
        value, _data = _value(serializer_class, self.request)
        return self._answer(service(self.request.user, obj, value))

    def create(self, request: Request) -> Response:
        value, data = _value(self.create_serializer, request)
        return self._answer(self.create_service(value, data), status.HTTP_201_CREATED)


class UpdatableViewSet(RegistryViewSet):
    """A registry viewset whose records are corrected by PATCH (``update_serializer`` →
    ``update_service``)."""

    update_serializer: type[s.ValueSerializer]

    def update_service(self, obj: Any, value: Any) -> Any:
        raise NotImplementedError

    def partial_update(self, request: Request, pk: str) -> Response:
        obj = self.get_object()
        value, _data = _value(self.update_serializer, request)
        return self._answer(self.update_service(obj, value))


def _documented(viewset: type, create: type, update: type | None, output: type) -> None:
    """The OpenAPI description of a registry viewset's list, create and update: each class
    gets its own methods (an annotation on the shared base method would apply to all)."""
    base = RegistryViewSet

    def list_(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)

    def create_(self: Any, request: Request) -> Response:
        return base.create(self, request)

    def partial_update_(self: Any, request: Request, pk: str) -> Response:
        return UpdatableViewSet.partial_update(self, request, pk)

    if "list" not in vars(viewset):
        viewset.list = extend_schema(parameters=[REGION_PARAM, Q_PARAM])(list_)
    viewset.create = extend_schema(request=create, responses={201: output})(create_)
    if update is not None:
        viewset.partial_update = extend_schema(request=update, responses=output)(partial_update_)


@extend_schema(tags=["registry"])
class AddressViewSet(RegistryViewSet):
    """Standard addresses (R11.1): a tree below each village, placed in grids."""

    queryset = StandardAddress.objects.order_by("code")
    serializer_class = s.AddressSerializer
    create_serializer = s.AddressCreateSerializer
    search_field = "full_text__icontains"
    filterset_fields = {"level": ["exact"], "parent": ["exact"]}

    def create_service(self, value: Any, data: dict) -> StandardAddress:
        return services.create_address(self.request.user, value)

    @extend_schema(request=s.AddressRetireSerializer, responses=s.AddressSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request: Request, pk: str) -> Response:
        """Retire the address (and its children), naming its successor (R11.1)."""
        return self._step(s.AddressRetireSerializer, services.retire_address)


@extend_schema(tags=["registry"])
class HouseViewSet(UpdatableViewSet):
    """Houses (实有房屋) with everyone living in them (R11.1)."""

    queryset = House.objects.select_related("address").order_by("address__code")
    serializer_class = s.HouseSerializer
    create_serializer = s.HouseCreateSerializer
    update_serializer = s.HouseUpdateSerializer
    search_field = "address__full_text__icontains"
    filterset_fields = {"use": ["exact"], "rental_status": ["exact"]}

    def get_queryset(self) -> QuerySet:
        queryset = super(RegistryViewSet, self).get_queryset()
        queryset = _located(queryset, self.request.query_params, prefix="address__")
        if q := self.request.query_params.get("q", "").strip():
            queryset = queryset.filter(address__full_text__icontains=q)
        return queryset

    def create_service(self, value: Any, data: dict) -> House:
        return services.create_house(self.request.user, value)

    def update_service(self, obj: House, value: Any) -> House:
        return services.update_house(self.request.user, obj, value)


@extend_schema(tags=["registry"])
class ResidentViewSet(UpdatableViewSet):
    """Residents (实有人口; R11.1, R22.1). ID numbers and phones are masked; ``reveal`` shows
    one value to a role that may, with a reason, logged; ``match`` searches by a full number
    as a reveal. Each resident shows only the tags the user may see."""

    queryset = Resident.objects.order_by("region_code", "name", "pk")
    serializer_class = s.ResidentSerializer
    create_serializer = s.ResidentCreateSerializer
    update_serializer = s.ResidentUpdateSerializer
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "house": ["exact"]}
    action_scopes = {"reveal": "view", "duplicates": "view", "duplicate_groups": "view"}

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.request.query_params.get("merged", "") not in {"1", "true"}:
            queryset = queryset.filter(merged_into__isnull=True)
        tags = scoping.scope_queryset(
            self.request.user, SpecialGroupTag.objects.order_by("kind", "-started_on", "pk")
        )
        return queryset.prefetch_related(Prefetch("tags", queryset=tags, to_attr="visible_tags"))

    @extend_schema(
        parameters=[
            REGION_PARAM,
            Q_PARAM,
            MATCH_PARAM,
            OpenApiParameter("merged", OpenApiTypes.BOOL, description="include merged records"),
        ],
        responses={
            200: s.ResidentSerializer,
            403: OpenApiResponse(description="match: role may not search by full numbers"),
            429: OpenApiResponse(description="match: too many searches, see Retry-After"),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return matched_list(self, request)

    def create_service(self, value: Any, data: dict) -> Resident:
        return services.register_resident(self.request.user, value)

    def update_service(self, obj: Resident, value: Any) -> Resident:
        return services.update_resident(self.request.user, obj, value)

    @extend_schema(
        request=s.ResidentRevealSerializer,
        responses={
            200: s.RegistryRevealResultSerializer,
            403: OpenApiResponse(description="role may not see personal data (attempt logged)"),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        """Show one protected value in full; the reason and the reveal are logged (R22.1)."""
        return _reveal(request, self.get_object(), s.ResidentRevealSerializer)

    @extend_schema(request=s.MoveInSerializer, responses=s.ResidentSerializer)
    @action(detail=True, methods=["post"], url_path="move-in")
    def move_in(self, request: Request, pk: str) -> Response:
        """The resident lives in a house from a date (R11.1)."""
        return self._step(s.MoveInSerializer, services.move_in)

    @extend_schema(request=s.StatusChangeSerializer, responses=s.ResidentSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request: Request, pk: str) -> Response:
        """The resident moved away on a date (the record stays)."""
        return self._step(s.StatusChangeSerializer, services.move_out)

    @extend_schema(request=s.StatusChangeSerializer, responses=s.ResidentSerializer)
    @action(detail=True, methods=["post"])
    def deceased(self, request: Request, pk: str) -> Response:
        """The resident died on a date; open tags end."""
        return self._step(s.StatusChangeSerializer, services.record_death)

    @extend_schema(request=s.ResidentMergeSerializer, responses=s.ResidentSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        """Merge another record of the same person into this one (history kept)."""
        return self._step(s.ResidentMergeSerializer, services.merge_residents)

    @extend_schema(request=None, responses=s.ResidentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def duplicates(self, request: Request, pk: str) -> Response:
        """Other records that may be the same person (same ID number, or same name and birth
        date at the same address), among those the user may see."""
        resident = self.get_object()
        found = self.get_queryset().filter(pk__in=services.find_duplicates(resident).values("pk"))
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[REGION_PARAM], responses=s.DuplicateGroupSerializer(many=True), request=None
    )
    @action(detail=False, methods=["get"], url_path="duplicate-groups")
    def duplicate_groups(self, request: Request) -> Response:
        """Sets of records sharing name, birth date and village (candidates for a merge)."""
        groups = services.duplicate_groups(self.get_queryset())
        page = self.paginate_queryset(groups)
        return self.get_paginated_response(s.DuplicateGroupSerializer(page, many=True).data)


@extend_schema(tags=["registry"])
class TagViewSet(RegistryViewSet):
    """Special-group tags (R11.1 (二)): only the kinds the user's role may see (the visibility
    table, registry.visibility)."""

    queryset = SpecialGroupTag.objects.select_related("resident").order_by(
        "resident", "kind", "-started_on", "pk"
    )
    serializer_class = s.TagSerializer
    create_serializer = s.TagCreateSerializer
    search_field = "resident__name__icontains"
    filterset_fields = {"kind": ["exact"], "resident": ["exact"], "care_level": ["exact"]}

    def create_service(self, value: Any, data: dict) -> SpecialGroupTag:
        return services.tag_resident(self.request.user, data["resident"], value)

    @extend_schema(request=s.TagEndSerializer, responses=s.TagSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """The resident is no longer in the group (the tag is kept)."""
        return self._step(s.TagEndSerializer, services.end_tag)


@extend_schema(tags=["registry"])
class OrganisationViewSet(UpdatableViewSet):
    """Organisations with their unified social credit code (R11.1)."""

    queryset = Organisation.objects.order_by("region_code", "name", "pk")
    serializer_class = s.OrganisationSerializer
    create_serializer = s.OrganisationCreateSerializer
    update_serializer = s.OrganisationUpdateSerializer
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "credit_code": ["exact"]}
    action_scopes = {"reveal": "view"}

    def create_service(self, value: Any, data: dict) -> Organisation:
        return services.create_organisation(self.request.user, value)

    def update_service(self, obj: Organisation, value: Any) -> Organisation:
        return services.update_organisation(self.request.user, obj, value)

    @extend_schema(
        request=s.OrganisationRevealSerializer, responses=s.RegistryRevealResultSerializer
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        """Show the contact's phone in full; the reason and the reveal are logged (R22.1)."""
        return _reveal(request, self.get_object(), s.OrganisationRevealSerializer)


@extend_schema(tags=["registry"])
class PlaceViewSet(UpdatableViewSet):
    """Key places (九小场所, crowded places) with risk level and inspection frequency."""

    queryset = Place.objects.order_by("region_code", "name", "pk")
    serializer_class = s.PlaceSerializer
    create_serializer = s.PlaceCreateSerializer
    update_serializer = s.PlaceUpdateSerializer
    filterset_fields = {"kind": ["exact"], "risk_level": ["exact"], "is_active": ["exact"]}

    def create_service(self, value: Any, data: dict) -> Place:
        return services.create_place(self.request.user, value)

    def update_service(self, obj: Place, value: Any) -> Place:
        return services.update_place(self.request.user, obj, value)


@extend_schema(tags=["registry"])
class ThingViewSet(UpdatableViewSet):
    """Things (部件): fire hydrants, cameras, manhole covers … with their state."""

    queryset = Thing.objects.order_by("region_code", "kind", "pk")
    serializer_class = s.ThingSerializer
    create_serializer = s.ThingCreateSerializer
    update_serializer = s.ThingUpdateSerializer
    filterset_fields = {"kind": ["exact"], "state": ["exact"]}

    def create_service(self, value: Any, data: dict) -> Thing:
        return services.create_thing(self.request.user, value)

    def update_service(self, obj: Thing, value: Any) -> Thing:
        return services.update_thing(self.request.user, obj, value)


for _viewset, _create, _update, _output in (
    (AddressViewSet, s.AddressCreateSerializer, None, s.AddressSerializer),
    (HouseViewSet, s.HouseCreateSerializer, s.HouseUpdateSerializer, s.HouseSerializer),
    (ResidentViewSet, s.ResidentCreateSerializer, s.ResidentUpdateSerializer, s.ResidentSerializer),
    (TagViewSet, s.TagCreateSerializer, None, s.TagSerializer),
    (OrganisationViewSet, s.OrganisationCreateSerializer, s.OrganisationUpdateSerializer,
     s.OrganisationSerializer),
    (PlaceViewSet, s.PlaceCreateSerializer, s.PlaceUpdateSerializer, s.PlaceSerializer),
    (ThingViewSet, s.ThingCreateSerializer, s.ThingUpdateSerializer, s.ThingSerializer),
):  # fmt: skip
    _documented(_viewset, _create, _update, _output)


WITHIN_PARAM = OpenApiParameter(
    "within", OpenApiTypes.INT, description="also visits falling due in this many days (0–366)"
)


@extend_schema(tags=["registry"])
class DueVisitViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Tags due or overdue for a visit (R11.1 (二)), most overdue first: per grid
    (``region``), per worker (``worker``), only kinds the user may see."""

    queryset = SpecialGroupTag.objects.select_related("resident")
    serializer_class = s.TagSerializer

    def _base(self) -> QuerySet[SpecialGroupTag]:
        params = self.request.query_params
        queryset = self.get_queryset()
        if region := params.get("region", "").strip():
            queryset = due.in_grid(queryset, region)
        if (worker_id := query_id(params, "worker")) is not None:
            workers = scoping.scope_queryset(self.request.user, GridWorker.objects.all())
            worker = workers.filter(pk=worker_id).first()
            queryset = due.of_worker(queryset, worker) if worker else queryset.none()
        return queryset

    def _within(self) -> int:
        return query_int(self.request.query_params, "within", minimum=0, maximum=366) or 0

    @extend_schema(
        parameters=[
            REGION_PARAM,
            WITHIN_PARAM,
            OpenApiParameter("worker", OpenApiTypes.INT, description="grids this worker serves"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="only overdue visits"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        overdue = request.query_params.get("overdue", "") in {"1", "true"}
        queryset = due.due(self._base(), within=self._within(), overdue_only=overdue)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[REGION_PARAM, WITHIN_PARAM], responses=s.GridDueSerializer(many=True)
    )
    @action(detail=False, methods=["get"], url_path="by-grid")
    def by_grid(self, request: Request) -> Response:
        """How many visits are overdue and due, per grid, in one grouped query."""
        rows = due.counts_by_grid(self._base(), within=self._within())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.GridDueSerializer(page, many=True).data)
