"""Matters over REST (R9.1–R9.3, R23.3): catalogue, lists, versions, entries in force, change
requests and the gate. Every view is scoped (gridgov.access.api); every change is a service call,
and the services decide who may take each workflow step (with a message naming the role)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access import scoping
from gridgov.access.api import ScopedViewSet, validated
from gridgov.errors import DomainError, NotFound
from gridgov.jsoninput import JSONParser
from gridgov.parsing import parse_id, query_id, query_int
from matters import excel, gate, services
from matters.api import serializers as s
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    ChangeRequest,
    MatterCategory,
    MatterItem,
    VersionStatus,
)
from people.models import Department

TAGS = ["matters"]
COUNTY_PARAM = OpenApiParameter("county", OpenApiTypes.STR, description="6-digit county code")
CITY_PARAM = OpenApiParameter("city", OpenApiTypes.STR, description="4-digit city code")
Q_PARAM = OpenApiParameter(
    "q", OpenApiTypes.STR, description="code, name, keyword or description contains"
)
ACTIVE_PARAM = OpenApiParameter("active", OpenApiTypes.BOOL, description="only (in)active ones")
XLSX_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY, description="the version as an Excel workbook (.xlsx)"
)


def _bool(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    return value.lower() in {"1", "true", "yes"}


def _xlsx_response(version: AdmissionListVersion) -> HttpResponse:
    response = HttpResponse(excel.export_version(version), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{excel.filename_for(version)}"'
    return response


def in_force_ids() -> QuerySet:
    """Ids of the versions in force (the latest published of each list), as a subquery."""
    latest = (
        AdmissionListVersion.objects.published()
        .filter(admission_list=OuterRef("admission_list"))
        .order_by("-number")
        .values("pk")[:1]
    )
    return AdmissionListVersion.objects.filter(pk=Subquery(latest)).values("pk")


# --- catalogue (R9.2) --------------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        parameters=[
            CITY_PARAM,
            Q_PARAM,
            ACTIVE_PARAM,
            OpenApiParameter("category", OpenApiTypes.STR, description="category code or id"),
        ]
    )
)
class MatterItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Items of the city's classification catalogue (准入分类目录, R9.2)."""

    queryset = MatterItem.objects.select_related("category", "city")
    serializer_class = s.MatterItemSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_fields = {"settle_on_spot_allowed": ["exact"]}

    def get_queryset(self) -> QuerySet[MatterItem]:
        qs = super().get_queryset()
        params = self.request.query_params
        if city := params.get("city"):
            qs = qs.filter(city__code=city)
        if category := params.get("category"):
            # a code, or an id: "¹" or a 20-digit number is a code no category has
            match = Q(category__code=category)
            if (pk := parse_id(category)) is not None:
                match |= Q(category__pk=pk)
            qs = qs.filter(match)
        if (active := _bool(params.get("active"))) is not None:
            qs = qs.filter(is_active=active)
        if q := params.get("q", "").strip():
            qs = qs.filter(services.search_q(q))
        return qs

    @extend_schema(request=s.ItemCreateSerializer, responses={201: s.MatterItemSerializer})
    def create(self, request: Request) -> Response:
        """Add an item (the city agency administrator)."""
        data = validated(s.ItemCreateSerializer, request)
        return self.reply_created(services.create_item(request.user, **data))

    @extend_schema(request=s.ItemUpdateSerializer, responses=s.MatterItemSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change wording, keywords, category or status; the code never changes."""
        return self.object_step(s.ItemUpdateSerializer, services.update_item)


@extend_schema(tags=TAGS)
@extend_schema_view(list=extend_schema(parameters=[CITY_PARAM, ACTIVE_PARAM]))
class MatterCategoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The catalogue: categories with their items (R9.2)."""

    queryset = MatterCategory.objects.select_related("city").prefetch_related(
        Prefetch("items", queryset=MatterItem.objects.order_by("sort_order", "code"))
    )
    serializer_class = s.MatterCategorySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    pagination_class = None

    def get_queryset(self) -> QuerySet[MatterCategory]:
        qs = super().get_queryset()
        params = self.request.query_params
        if city := params.get("city"):
            qs = qs.filter(city__code=city)
        if (active := _bool(params.get("active"))) is not None:
            qs = qs.filter(is_active=active)
        return qs

    @extend_schema(request=s.CategoryCreateSerializer, responses={201: s.MatterCategorySerializer})
    def create(self, request: Request) -> Response:
        """Add a category (the city agency administrator)."""
        data = validated(s.CategoryCreateSerializer, request)
        return self.reply_created(
            services.create_category(request.user, city_code=data.pop("city"), **data)
        )

    @extend_schema(request=s.CategoryUpdateSerializer, responses=s.MatterCategorySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.CategoryUpdateSerializer, services.update_category)


# --- lists and versions (R9.1–R9.3) ------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(list=extend_schema(parameters=[COUNTY_PARAM]))
class AdmissionListViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """County admission lists with their versions; the workflow steps of a version.

    ``draft`` opens the draft (a copy of the version in force); ``upload`` replaces the draft's
    entries with an Excel workbook (all or nothing); ``publish`` puts the draft in force;
    ``file`` files a published version with the city; ``acknowledge`` is the city's
    confirmation. Each step is allowed to the role the services name (R9.2, R9.3).
    """

    queryset = (
        AdmissionList.objects.select_related("county")
        .annotate(
            pending_count=Count("change_requests", filter=Q(change_requests__status="pending"))
        )
        .order_by("county__code")
    )
    serializer_class = s.AdmissionListSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"
    # The services authorise these steps (and say which role is needed): reads for scoping.
    action_scopes = {
        "draft": "view",
        "publish": "view",
        "file": "view",
        "acknowledge": "view",
        "upload": "view",
        "xlsx": "view",
    }

    def get_queryset(self) -> QuerySet[AdmissionList]:
        qs = super().get_queryset().prefetch_related("versions")
        if county := self.request.query_params.get("county"):
            qs = qs.filter(county__code__startswith=county)
        return qs

    @extend_schema(request=s.ListCreateSerializer, responses={201: s.AdmissionListSerializer})
    def create(self, request: Request) -> Response:
        """Start the county's list (the county agency administrator); idempotent."""
        data = validated(s.ListCreateSerializer, request)
        admission_list = services.create_list(request.user, county_code=data["county"])
        return Response(
            s.AdmissionListSerializer(self.get_queryset().get(pk=admission_list.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _version_reply(self, version: AdmissionListVersion) -> Response:
        return self.reply(version, output=s.VersionSerializer)

    def _picked(self, default: str) -> tuple[AdmissionListVersion, dict[str, Any]]:
        """The version a step names (``default`` when it names none) and the step's input."""
        admission_list = self.get_object()
        data = validated(s.VersionNumberSerializer, self.request)
        return self._pick(admission_list, data.get("version"), default), data

    @extend_schema(request=s.VersionNumberSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"])
    def draft(self, request: Request, pk: str) -> Response:
        """Open the draft (a copy of the version in force), or return the open one."""
        admission_list = self.get_object()
        data = validated(s.VersionNumberSerializer, request)
        version = services.open_draft(request.user, admission_list, note=data.get("note", ""))
        return self._version_reply(version)

    @extend_schema(
        request={"multipart/form-data": s.UploadSerializer},
        responses={
            200: s.VersionSerializer,
            400: OpenApiResponse(
                description="bad rows: ``rows`` lists {row, column, value, message}; "
                "nothing was saved"
            ),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request: Request, pk: str) -> Response:
        """Replace the draft's entries with an .xlsx workbook (all rows or none)."""
        admission_list = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(_("请选择要上传的 Excel 文件"), field="file", code="required")
        version = excel.import_draft(
            request.user, admission_list, upload.read(), filename=upload.name
        )
        return self._version_reply(version)

    @extend_schema(request=s.VersionNumberSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish the draft: it is in force at once and frozen (R9.1, R9.2)."""
        version, data = self._picked(VersionStatus.DRAFT)
        version = services.publish_version(request.user, version, note=data.get("note"))
        return self._version_reply(version)

    @extend_schema(request=s.VersionNumberSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def file(self, request: Request, pk: str) -> Response:
        """File a published version (default: the one in force) with the city agency."""
        version, _data = self._picked("in_force")
        version = services.file_version(request.user, version)
        return self._version_reply(version)

    @extend_schema(request=s.VersionNumberSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def acknowledge(self, request: Request, pk: str) -> Response:
        """The city agency confirms a filed version (default: the latest filed one)."""
        version, data = self._picked(VersionStatus.FILED)
        version = services.acknowledge_version(request.user, version, note=data.get("note", ""))
        return self._version_reply(version)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="version number (default: in force)"
            )
        ],
        responses={200: XLSX_RESPONSE},
    )
    @action(detail=True, methods=["get"])
    def xlsx(self, request: Request, pk: str) -> HttpResponse:
        """Download a version as an Excel workbook."""
        admission_list = self.get_object()
        return _xlsx_response(
            self._pick(
                admission_list, query_int(request.query_params, "version", minimum=1), "in_force"
            )
        )

    def _pick(
        self, admission_list: AdmissionList, number: Any, default: str
    ) -> AdmissionListVersion:
        if number not in (None, ""):
            return services.get_version(admission_list, number)
        versions = admission_list.versions.all()
        if default == "in_force":
            found = versions.in_force().first()
        else:
            found = versions.filter(status=default).order_by("-number").first()
        if found is None:
            label = {
                "in_force": _("已发布的版本"),
                VersionStatus.DRAFT: _("草稿"),
                VersionStatus.FILED: _("已报备待确认的版本"),
            }[default]
            raise NotFound(_("该清单没有%(what)s") % {"what": label})
        return found


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        parameters=[
            COUNTY_PARAM,
            OpenApiParameter("in_force", OpenApiTypes.BOOL, description="only versions in force"),
        ]
    )
)
class AdmissionListVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Every version of every list stays readable, with its entries and its changes against
    the version it was based on (R9.3)."""

    queryset = (
        AdmissionListVersion.objects.select_related(
            "admission_list__county",
            "based_on",
            "created_by",
            "published_by",
            "filed_by",
            "acknowledged_by",
        )
        .annotate(entry_count=Count("entries"))
        .order_by("admission_list__county__code", "-number")
    )
    serializer_class = s.VersionSerializer
    http_method_names = ["get", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_fields = {"status": ["exact"], "admission_list": ["exact"]}

    def get_queryset(self) -> QuerySet[AdmissionListVersion]:
        qs = super().get_queryset()
        params = self.request.query_params
        if county := params.get("county"):
            qs = qs.filter(admission_list__county__code__startswith=county)
        if _bool(params.get("in_force")):
            qs = qs.filter(pk__in=in_force_ids())
        return qs

    def get_serializer_class(self) -> type:
        return s.VersionDetailSerializer if self.action == "retrieve" else s.VersionSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["in_force_ids"] = set(in_force_ids().values_list("pk", flat=True))
        return context

    @extend_schema(responses={200: XLSX_RESPONSE})
    @action(detail=True, methods=["get"])
    def xlsx(self, request: Request, pk: str) -> HttpResponse:
        """This version as an Excel workbook."""
        return _xlsx_response(self.get_object())


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(
        parameters=[
            COUNTY_PARAM,
            Q_PARAM,
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="entries of this version (any status)"
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="category code"),
            OpenApiParameter(
                "department", OpenApiTypes.INT, description="lead or co-department id"
            ),
            OpenApiParameter("settle_on_spot", OpenApiTypes.BOOL),
        ]
    )
)
class AdmissionEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    """Entries: by default those **in force** (what an intake form offers, R9.2, R23.3);
    ``?version=<id>`` lists any version's. Entries of a draft are added, changed and removed
    here (a published version is frozen: 400)."""

    queryset = AdmissionEntry.objects.select_related(
        "item__category", "lead_department__kind", "version__admission_list__county"
    ).prefetch_related(
        Prefetch("co_departments", queryset=Department.objects.select_related("kind"))
    )
    serializer_class = s.EntrySerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"
    action_scopes = {"admit": "view"}

    def get_queryset(self) -> QuerySet[AdmissionEntry]:
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        params = self.request.query_params
        if (version := query_id(params, "version")) is not None:
            qs = qs.filter(version_id=version)
        else:
            qs = qs.filter(version__in=in_force_ids())
        if county := params.get("county"):
            qs = qs.filter(version__admission_list__county__code=county)
        if category := params.get("category"):
            qs = qs.filter(item__category__code=category)
        if (department := query_id(params, "department")) is not None:
            qs = qs.filter(
                Q(lead_department_id=department) | Q(co_departments__id=department)
            ).distinct()
        if (spot := _bool(params.get("settle_on_spot"))) is not None:
            qs = qs.filter(item__settle_on_spot_allowed=spot)
        if q := params.get("q", "").strip():
            items = MatterItem.objects.filter(services.search_q(q)).values("pk")
            qs = qs.filter(item__in=items)
        return qs.order_by(
            "version__admission_list__county__code",
            "item__category__sort_order",
            "item__sort_order",
            "item__code",
        )

    @extend_schema(request=s.EntryCreateSerializer, responses={201: s.EntrySerializer})
    def create(self, request: Request) -> Response:
        """Add an item to a draft (the county agency administrator)."""
        data = validated(s.EntryCreateSerializer, request)
        version = data.pop("version")
        return self.reply_created(
            services.add_entry(request.user, version, item=data.pop("item"), **data)
        )

    @extend_schema(request=s.EntryUpdateSerializer, responses=s.EntrySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.EntryUpdateSerializer, services.update_entry, partial=True)

    def perform_destroy(self, instance: AdmissionEntry) -> None:
        services.remove_entry(self.request.user, instance)

    @extend_schema(
        summary="May this matter enter the grid here? (the gate, R9.1, R23.3)",
        parameters=[
            OpenApiParameter("matter", OpenApiTypes.STR, required=True, description="item code"),
            OpenApiParameter("grid", OpenApiTypes.STR, description="15-digit grid code"),
            COUNTY_PARAM,
            OpenApiParameter("lng", OpenApiTypes.DOUBLE),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE),
            OpenApiParameter("coord", OpenApiTypes.STR, enum=["wgs84", "cgcs2000", "gcj02"]),
        ],
        responses={200: s.AdmissionSerializer},
    )
    @action(detail=False, methods=["get"])
    def admit(self, request: Request) -> Response:
        """The answer of the gate: ``admitted`` with the entry in force for the matter at a
        point, grid or county, or not, with the ``reason`` (unknown_matter, no_list,
        not_on_list, removed, outside_grids, …) and a message to show. A question, not an
        action: "no" is an answer (200), not an error."""
        params = request.query_params
        try:
            admission = gate.admit(
                params.get("matter", ""),
                county_code=params.get("county") or None,
                grid_code=params.get("grid") or None,
                lng=params.get("lng"),
                lat=params.get("lat"),
                coord=params.get("coord", "wgs84"),
            )
        except gate.NotAdmitted as refusal:
            return Response(
                {"admitted": False, "reason": refusal.reason, "detail": refusal.message}
            )
        if not scoping.in_scope(request.user, admission.entry):
            raise NotFound(_("该地点不在您的管辖范围内"))
        entry = self.get_queryset().get(pk=admission.entry.pk)
        return Response(
            {
                "admitted": True,
                "reason": "",
                "detail": "",
                "county": admission.county_code,
                "grid": admission.grid_code,
                "version": s.VersionRefSerializer(admission.version).data,
                "entry": s.EntryInVersionSerializer(entry).data,
            }
        )


# --- change requests (R9.3) --------------------------------------------------------------


@extend_schema(tags=TAGS)
@extend_schema_view(
    list=extend_schema(parameters=[COUNTY_PARAM, OpenApiParameter("item", OpenApiTypes.STR)])
)
class ChangeRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Requests to add, change or remove an entry (R9.3): made by a county department head or a
    township agency administrator, approved or rejected by the county agency administrator.
    An approved request goes into the list's draft; it takes effect when that is published."""

    queryset = ChangeRequest.objects.select_related(
        "admission_list__county",
        "item",
        "lead_department__kind",
        "requesting_department__kind",
        "requesting_agency__region",
        "requested_by",
        "reviewed_by",
        "applied_to__admission_list__county",
    ).prefetch_related("co_departments__kind")
    serializer_class = s.ChangeRequestSerializer
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_fields = {"status": ["exact"], "kind": ["exact"]}
    action_scopes = {"approve": "view", "reject": "view", "withdraw": "view"}

    def get_queryset(self) -> QuerySet[ChangeRequest]:
        qs = super().get_queryset()
        params = self.request.query_params
        if county := params.get("county"):
            qs = qs.filter(admission_list__county__code__startswith=county)
        if item := params.get("item"):
            qs = qs.filter(item__code=item)
        return qs

    @extend_schema(
        request=s.ChangeRequestCreateSerializer, responses={201: s.ChangeRequestSerializer}
    )
    def create(self, request: Request) -> Response:
        """Request a change (a county department head or a township agency administrator)."""
        data = validated(s.ChangeRequestCreateSerializer, request)
        return self.reply_created(
            services.submit_change_request(request.user, county_code=data.pop("county"), **data)
        )

    @extend_schema(request=s.ReviewSerializer, responses=s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Approve (the county agency administrator): applied to the list's draft at once."""
        change = self.get_object()
        data = validated(s.ReviewSerializer, request)
        return self.reply(
            services.approve_change_request(request.user, change, reason=data.get("reason", ""))
        )

    @extend_schema(request=s.ReviewSerializer, responses=s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject with reasons (the county agency administrator)."""
        change = self.get_object()
        data = validated(s.ReviewSerializer, request)
        return self.reply(
            services.reject_change_request(request.user, change, reason=data.get("reason"))
        )

    @extend_schema(request=None, responses=s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The requesting department or agency withdraws its pending request."""
        return self.reply(services.withdraw_change_request(request.user, self.get_object()))
