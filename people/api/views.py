"""People over REST (R4–R6, R10–R13, R20.1, R22.1): every view is scoped (gridgov.access.api),
every change is a service call.

Over 600 lines: the app's 13 viewsets, one per model, each a few declarations on the shared
bases; they read best side by side (organisations, accounts, workers and their records)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from gridgov.access import scoping
from gridgov.access.api import ScopedReadOnlyViewSet, ScopedViewSet, validated
from gridgov.errors import DomainError
from people import auth, reports, services
from people.api import serializers as s
from people.exact_search import exact_search
from people.models import (
    ApiToken,
    CommitteeMember,
    Department,
    DepartmentKind,
    Employment,
    EquipmentIssue,
    GridAgency,
    GridAssignment,
    GridWorker,
    RoleAssignment,
    Training,
    User,
    VillageCommittee,
)
from regions.models import Grid

REGION_PARAM = OpenApiParameter(
    "region", OpenApiTypes.STR, description="only objects whose region code starts with this"
)
Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="name contains")


def _bool_param(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in {"1", "true", "yes"}


def matched_list(view: Any, request: Request) -> Response:
    """A list view's answer with the optional ``match`` filter: an exact search by a full ID or
    phone number, which is a logged reveal (R22.1). Applied here, not in get_queryset(), so a
    search is logged and counted once per request."""
    queryset = view.filter_queryset(view.get_queryset())
    if match := request.query_params.get("match", "").strip():
        queryset = exact_search(request.user, queryset, match)
    page = view.paginate_queryset(queryset)
    if page is None:
        return Response(view.get_serializer(queryset, many=True).data)
    return view.get_paginated_response(view.get_serializer(page, many=True).data)


# --- auth ----------------------------------------------------------------------------------


@extend_schema(
    summary="Get an API token with username and password",
    request=s.TokenRequestSerializer,
    responses={
        200: s.TokenResponseSerializer,
        400: OpenApiResponse(description="wrong username or password"),
        429: OpenApiResponse(description="too many failures: locked for a while"),
    },
    tags=["auth"],
    methods=["POST"],
)
@extend_schema(
    summary="Revoke the token this request uses (log out a device)",
    request=None,
    responses={204: None},
    tags=["auth"],
    methods=["DELETE"],
)
@api_view(["POST", "DELETE"])
@permission_classes([AllowAny])
@throttle_classes([])
def token(request: Request) -> Response:
    """``POST`` username/password → ``{"token": …}``; send it as ``Authorization: Token …``.

    Failures count towards the same lock as the web login (R22.1).
    """
    if request.method == "DELETE":
        if not request.user.is_authenticated or not isinstance(request.auth, ApiToken):
            raise DomainError(_("请使用要撤销的令牌发起请求"), code="no_token")
        auth.revoke_token(request.user, request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
    data = validated(s.TokenRequestSerializer, request)
    try:
        user = authenticate(request, username=data["username"], password=data["password"])
    except DjangoPermissionDenied:
        user = None
    state = auth.lock_state(data["username"], auth.request_ip(request))
    if user is None and state.locked:
        raise Throttled(wait=state.retry_after, detail=_("登录失败次数过多,请稍后再试"))
    if user is None:
        raise DomainError(_("用户名或密码错误"), field="password", code="invalid_credentials")
    key, row = auth.issue_token(user, label=data.get("label", ""))
    return Response({"token": key, "expires_at": row.expires_at, "username": user.username})


@extend_schema(summary="Who am I: account, roles, jurisdiction", responses=s.MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request: Request) -> Response:
    user = request.user
    workers = GridWorker.objects.filter(user=user).prefetch_related("assignments")
    return Response(
        {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "is_superuser": user.is_superuser,
            "roles": s.grants_data(user),
            "jurisdictions": list(scoping.jurisdictions(user)),
            "workers": s.GridWorkerSerializer(workers, many=True).data,
        }
    )


# --- organisations ------------------------------------------------------------------------


@extend_schema(tags=["organisations"])
@extend_schema_view(list=extend_schema(parameters=[REGION_PARAM, Q_PARAM]))
class GridAgencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Grid agencies of cities, counties and townships (R4.1)."""

    queryset = GridAgency.objects.select_related("region")
    serializer_class = s.GridAgencySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"level": ["exact"], "is_active": ["exact"]}

    def get_queryset(self) -> QuerySet[GridAgency]:
        qs = super().get_queryset()
        if region := self.request.query_params.get("region"):
            qs = qs.filter(region__code__startswith=region)
        if q := self.request.query_params.get("q"):
            qs = qs.filter(name__icontains=q)
        return qs

    @extend_schema(request=s.GridAgencyCreateSerializer, responses={201: s.GridAgencySerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.GridAgencyCreateSerializer, request)
        return self.reply_created(
            services.create_agency(request.user, region_code=data.pop("region"), **data)
        )

    @extend_schema(request=s.GridAgencyUpdateSerializer, responses=s.GridAgencySerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.GridAgencyUpdateSerializer, services.update_agency)


@extend_schema(tags=["organisations"])
class DepartmentKindViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Kinds of linkage department: the 14 of Art. 5 and those an administrator adds (R5.1)."""

    queryset = DepartmentKind.objects.all()
    serializer_class = s.DepartmentKindSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None

    @extend_schema(request=s.DepartmentKindSerializer, responses={201: s.DepartmentKindSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.DepartmentKindSerializer, request)
        return self.reply_created(
            services.create_department_kind(
                request.user,
                code=data["code"],
                name=data["name"],
                sort_order=data.get("sort_order", 1000),
            )
        )

    @extend_schema(request=s.DepartmentKindUpdateSerializer, responses=s.DepartmentKindSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.DepartmentKindUpdateSerializer, services.update_department_kind)


@extend_schema(tags=["organisations"])
@extend_schema_view(list=extend_schema(parameters=[REGION_PARAM, Q_PARAM]))
class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Linkage departments at city, county and township level (R5.1)."""

    queryset = Department.objects.select_related("region", "kind")
    serializer_class = s.DepartmentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"level": ["exact"], "is_active": ["exact"], "kind__code": ["exact"]}

    def get_queryset(self) -> QuerySet[Department]:
        qs = super().get_queryset()
        if region := self.request.query_params.get("region"):
            qs = qs.filter(region__code__startswith=region)
        if q := self.request.query_params.get("q"):
            qs = qs.filter(name__icontains=q)
        return qs

    @extend_schema(request=s.DepartmentCreateSerializer, responses={201: s.DepartmentSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.DepartmentCreateSerializer, request)
        return self.reply_created(
            services.create_department(
                request.user, kind=data.pop("kind"), region_code=data.pop("region"), **data
            )
        )

    @extend_schema(request=s.DepartmentUpdateSerializer, responses=s.DepartmentSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.DepartmentUpdateSerializer, services.update_department)


@extend_schema(tags=["organisations"])
@extend_schema_view(list=extend_schema(parameters=[REGION_PARAM]))
class VillageCommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Village and community committees with their current members (R6.1)."""

    queryset = VillageCommittee.objects.select_related("region").prefetch_related("members")
    serializer_class = s.VillageCommitteeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"kind": ["exact"], "is_active": ["exact"]}

    def get_queryset(self) -> QuerySet[VillageCommittee]:
        qs = super().get_queryset()
        if region := self.request.query_params.get("region"):
            qs = qs.filter(region__code__startswith=region)
        return qs

    @extend_schema(
        request=s.VillageCommitteeCreateSerializer, responses={201: s.VillageCommitteeSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.VillageCommitteeCreateSerializer, request)
        return self.reply_created(
            services.create_committee(request.user, region_code=data.pop("region"), **data)
        )

    @extend_schema(
        request=s.VillageCommitteeUpdateSerializer, responses=s.VillageCommitteeSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.VillageCommitteeUpdateSerializer, services.update_committee)


@extend_schema(tags=["organisations"])
class CommitteeMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = CommitteeMember.objects.select_related("committee__region")
    serializer_class = s.CommitteeMemberSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"committee": ["exact"], "position": ["exact"]}

    @extend_schema(
        request=s.CommitteeMemberCreateSerializer, responses={201: s.CommitteeMemberSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.CommitteeMemberCreateSerializer, request)
        return self.reply_created(
            services.add_committee_member(request.user, data.pop("committee"), **data)
        )

    @extend_schema(request=s.EndDateSerializer, responses=s.CommitteeMemberSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """The member leaves office."""
        return self.object_step(s.EndDateSerializer, services.end_committee_member)


# --- grid workers -------------------------------------------------------------------------


@extend_schema(tags=["workers"])
class GridWorkerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Grid workers (R10–R13). ID numbers and personal phones are masked; ``reveal`` shows one
    value to a role that needs it, with a reason, and logs it (R22.1)."""

    queryset = (
        GridWorker.objects.select_related("village", "department__kind", "user")
        .prefetch_related(
            Prefetch("assignments", queryset=GridAssignment.objects.order_by("grid_code"))
        )
        .order_by("region_code", "kind", "name", "pk")
    )
    serializer_class = s.GridWorkerSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = {"kind": ["exact"], "status": ["exact"], "is_party_member": ["exact"]}
    action_scopes = {"reveal": "view"}

    def get_queryset(self) -> QuerySet[GridWorker]:
        qs = super().get_queryset()
        params = self.request.query_params
        if region := params.get("region"):
            qs = qs.filter(region_code__startswith=region)
        if grid := params.get("grid"):
            qs = qs.filter(
                pk__in=GridAssignment.objects.active()
                .filter(grid_code__startswith=grid)
                .values("worker")
            )
        if q := params.get("q"):
            qs = qs.filter(name__icontains=q)
        return qs

    @extend_schema(
        parameters=[
            REGION_PARAM,
            Q_PARAM,
            OpenApiParameter("grid", OpenApiTypes.STR, description="serving a grid (code prefix)"),
            OpenApiParameter(
                "match",
                OpenApiTypes.STR,
                description="exact full ID-card number or personal phone (searched by keyed "
                "hash). A search by a full number is a reveal (R22.1): only roles that may "
                "reveal personal data, logged in the personal-data access log, rate-limited "
                "per user",
            ),
        ],
        responses={
            200: s.GridWorkerSerializer,
            403: OpenApiResponse(description="match: role may not search by full numbers"),
            429: OpenApiResponse(description="match: too many searches, see Retry-After"),
        },
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return matched_list(self, request)

    @extend_schema(request=s.GridWorkerCreateSerializer, responses={201: s.GridWorkerSerializer})
    def create(self, request: Request) -> Response:
        data = validated(s.GridWorkerCreateSerializer, request)
        return self.reply_created(
            services.create_worker(request.user, village_code=data.pop("village", None), **data)
        )

    @extend_schema(request=s.GridWorkerUpdateSerializer, responses=s.GridWorkerSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self.object_step(s.GridWorkerUpdateSerializer, services.update_worker)

    @extend_schema(
        request=s.RevealSerializer,
        responses={
            200: s.RevealResultSerializer,
            403: OpenApiResponse(description="role may not see personal data (attempt logged)"),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        """Show one protected value in full; the reason and the reveal are logged (R22.1)."""
        worker = self.get_object()
        data = validated(s.RevealSerializer, request)
        value = services.reveal(request.user, worker, data["field"], reason=data["reason"])
        return Response({"field": data["field"], "value": value})

    @extend_schema(request=s.AssignToGridSerializer, responses={201: s.GridAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        """Assign this worker to a grid (R10.1–R10.3)."""
        return self.object_step(
            s.AssignToGridSerializer,
            services.assign_worker,
            output=s.GridAssignmentSerializer,
            created=True,
        )

    @extend_schema(request=s.ExitSerializer, responses=s.GridWorkerSerializer)
    @action(detail=True, methods=["post"])
    def exit(self, request: Request, pk: str) -> Response:
        """The worker leaves: employment and assignments end (R13.1)."""
        return self.object_step(s.ExitSerializer, services.exit_worker)

    @extend_schema(request=s.RehireSerializer, responses=s.GridWorkerSerializer)
    @action(detail=True, methods=["post"])
    def rehire(self, request: Request, pk: str) -> Response:
        return self.object_step(s.RehireSerializer, services.rehire_worker)

    @extend_schema(request=s.ChangeKindSerializer, responses=s.GridWorkerSerializer)
    @action(detail=True, methods=["post"], url_path="change-kind")
    def change_kind(self, request: Request, pk: str) -> Response:
        """Make the worker another kind; their active assignments end."""
        return self.object_step(s.ChangeKindSerializer, services.change_worker_kind)


@extend_schema(tags=["workers"])
@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="only (in)active")]
    )
)
class GridAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Who serves which grid, from when to when (R10.1); history kept."""

    queryset = GridAssignment.objects.select_related("worker")
    serializer_class = s.GridAssignmentSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {
        "grid_code": ["exact", "startswith"],
        "worker": ["exact"],
        "kind": ["exact"],
    }

    def get_queryset(self) -> QuerySet[GridAssignment]:
        qs = super().get_queryset()
        active = _bool_param(self.request.query_params.get("active"))
        if active is not None:
            qs = qs.filter(ended_on__isnull=active)
        return qs

    @extend_schema(
        request=s.GridAssignmentCreateSerializer, responses={201: s.GridAssignmentSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.GridAssignmentCreateSerializer, request)
        return self.reply_created(
            services.assign_worker(request.user, data.pop("worker"), data.pop("grid_code"), **data)
        )

    @extend_schema(request=s.EndAssignmentSerializer, responses=s.GridAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        return self.object_step(s.EndAssignmentSerializer, services.end_assignment)


@extend_schema(tags=["workers"])
class EmploymentViewSet(ScopedReadOnlyViewSet):
    """Recruitment and exit records (R13.1); they change through the worker's exit/rehire."""

    queryset = Employment.objects.all()
    serializer_class = s.EmploymentSerializer
    filterset_fields = {"worker": ["exact"], "method": ["exact"], "exit_reason": ["exact"]}


@extend_schema(tags=["workers"])
class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Training records: course, date, hours (R13.1)."""

    queryset = Training.objects.select_related("worker")
    serializer_class = s.TrainingSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"worker": ["exact"], "held_on": ["gte", "lte"]}

    @extend_schema(
        request=s.TrainingCreateSerializer, responses={201: s.TrainingSerializer(many=True)}
    )
    def create(self, request: Request) -> Response:
        """One course for one or more workers."""
        data = validated(s.TrainingCreateSerializer, request)
        records = services.record_training(request.user, data.pop("workers"), **data)
        return Response(
            s.TrainingSerializer(records, many=True).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["workers"])
class EquipmentIssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Work IDs, uniforms, badges and devices issued (R13.1)."""

    queryset = EquipmentIssue.objects.select_related("worker")
    serializer_class = s.EquipmentIssueSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"worker": ["exact"], "item": ["exact"]}

    @extend_schema(
        request=s.EquipmentIssueCreateSerializer, responses={201: s.EquipmentIssueSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.EquipmentIssueCreateSerializer, request)
        return self.reply_created(
            services.issue_equipment(request.user, data.pop("worker"), **data)
        )

    @extend_schema(request=s.ReturnEquipmentSerializer, responses=s.EquipmentIssueSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_item(self, request: Request, pk: str) -> Response:
        return self.object_step(s.ReturnEquipmentSerializer, services.return_equipment)


@extend_schema(tags=["workers"])
class VacantGridViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Current grids of my jurisdiction without an active grid leader (R10.2)."""

    queryset = Grid.objects.current()
    serializer_class = s.VacantGridSerializer
    scope_model = Grid

    def get_queryset(self) -> QuerySet[Grid]:
        if getattr(self, "swagger_fake_view", False):
            return Grid.objects.none()
        empty = _bool_param(self.request.query_params.get("empty")) or False
        return reports.vacant_grids(self.request.user, without_any_worker=empty)

    @extend_schema(
        parameters=[
            OpenApiParameter("empty", OpenApiTypes.BOOL, description="grids with no worker at all")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = [
            {
                "code": v.grid.code,
                "name": v.grid.name,
                "village": v.grid.village,
                "workers": v.workers,
                "has_leader": v.has_leader,
                "previous_workers": v.previous_workers,
            }
            for v in reports.describe(list(page if page is not None else []))
        ]
        return self.get_paginated_response(s.VacantGridSerializer(rows, many=True).data)


# --- accounts and roles -------------------------------------------------------------------


@extend_schema(tags=["accounts"])
@extend_schema_view(list=extend_schema(parameters=[Q_PARAM]))
class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Accounts in my jurisdiction (R20.1: one account per person, web and API)."""

    queryset = User.objects.filter(is_superuser=False).order_by("username")
    serializer_class = s.AccountSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        qs = super().get_queryset()
        if q := self.request.query_params.get("q"):
            qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        return qs

    @extend_schema(request=s.AccountCreateSerializer, responses={201: s.AccountCreatedSerializer})
    def create(self, request: Request) -> Response:
        """A new account with its first role; a generated password is returned once."""
        data = validated(s.AccountCreateSerializer, request)
        user, generated = services.create_account(
            request.user,
            username=data["username"],
            full_name=data["full_name"],
            email=data.get("email", ""),
            password=data.get("password") or None,
            role=data["role"],
            region_code=data.get("region") or None,
            department=data.get("department"),
        )
        body = dict(s.AccountSerializer(user).data)
        body["generated_password"] = generated
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str) -> Response:
        return self.object_step(s.ReasonSerializer, services.set_account_active, False)

    @extend_schema(request=s.ReasonSerializer, responses=s.AccountSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        return self.object_step(s.ReasonSerializer, services.set_account_active, True)

    @extend_schema(request=s.SetPasswordSerializer, responses={204: None})
    @action(detail=True, methods=["post"], url_path="set-password")
    def set_password(self, request: Request, pk: str) -> Response:
        user = self.get_object()
        data = validated(s.SetPasswordSerializer, request)
        services.set_password(request.user, user, data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="only (in)active")]
    )
)
class RoleAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Roles granted over regions (grid-worker roles follow grid assignments instead)."""

    queryset = RoleAssignment.objects.select_related("user", "region", "department__kind")
    serializer_class = s.RoleAssignmentSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"role": ["exact"], "user": ["exact"]}

    def get_queryset(self) -> QuerySet[RoleAssignment]:
        qs = super().get_queryset()
        active = _bool_param(self.request.query_params.get("active"))
        if active is True:
            qs = qs.active()
        elif active is False:
            qs = qs.exclude(pk__in=RoleAssignment.objects.active().values("pk"))
        return qs

    @extend_schema(
        request=s.RoleAssignmentCreateSerializer, responses={201: s.RoleAssignmentSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(s.RoleAssignmentCreateSerializer, request)
        user = data.get("user")
        if user is None and data.get("username"):
            user = (
                scoping.scope_queryset(request.user, User.objects.all())
                .filter(username=data["username"])
                .first()
            )
        if user is None:
            raise DomainError(_("账号不存在或不在管辖范围内"), field="user", code="unknown_user")
        assignment = services.grant_role(
            request.user,
            user,
            data["role"],
            region_code=data.get("region") or None,
            department=data.get("department"),
            note=data.get("note", ""),
        )
        return self.reply_created(assignment)

    @extend_schema(request=s.NoteSerializer, responses=s.RoleAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        return self.object_step(s.NoteSerializer, services.revoke_role)
