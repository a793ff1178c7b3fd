"""Cases over REST (R24–R27): intake, list with filters, detail, one POST per action, archive.

Every view is scoped (gridgov.access.api): a case outside the user's jurisdiction is 404. Each
action then asks the state machine whether this user may take it now: 403 when it is not
theirs to take, 400 with the reason when the state or the input is wrong.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import django_filters
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import actions_io, exports, involved, linking, services
from cases import links as case_links
from cases import reveal as case_reveal
from cases.api import serializers as s
from cases.models import (
    OPEN_STATES,
    Assignment,
    Case,
    DeadlineStatus,
    State,
)
from gridgov.access.api import ScopedViewSet


class CaseFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    open = django_filters.BooleanFilter(method="filter_open", label="open (not final)")
    grid = django_filters.CharFilter(field_name="grid_code", lookup_expr="startswith")
    region = django_filters.CharFilter(
        field_name="grid_code", lookup_expr="startswith", label="region code prefix"
    )
    department = django_filters.NumberFilter(method="filter_department")
    matter = django_filters.CharFilter(field_name="matter_code")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    deadline_status = django_filters.MultipleChoiceFilter(choices=DeadlineStatus.choices)
    urgent = django_filters.BooleanFilter(method="filter_urgent")
    channel = django_filters.CharFilter(field_name="channel")
    level = django_filters.CharFilter(field_name="level")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    closed_after = django_filters.IsoDateTimeFilter(field_name="closed_at", lookup_expr="gte")
    closed_before = django_filters.IsoDateTimeFilter(field_name="closed_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_text", label="text or tracking code")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_open(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)

    def filter_department(self, qs: QuerySet, name: str, value: int | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(pk__in=Assignment.objects.filter(department_id=value).values("case_id"))

    def filter_overdue(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        red = Q(deadline_status=DeadlineStatus.RED)
        return qs.filter(red) if value else qs.exclude(red)

    def filter_urgent(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        return qs.filter(urgency="urgent") if value else qs.exclude(urgency="urgent")

    def filter_text(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(tracking_code=value.upper())
            | Q(description__icontains=value)
            | Q(address__icontains=value)
        )


def _data(serializer_class: type, request: Request) -> dict[str, Any]:
    """The validated input (400 with field messages otherwise), without the fields not given."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if v is not None}


def _action(summary: str, name: str, *, attr: str = "") -> Callable:
    """``POST /cases/{id}/<name>/``: the action's input (cases.actions_io) → its service."""
    io = actions_io.ACTIONS[name.replace("-", "_")]

    @extend_schema(
        summary=summary,
        request=io.serializer,
        responses={
            200: s.CaseDetailSerializer,
            400: OpenApiResponse(),
            403: OpenApiResponse(),
            404: OpenApiResponse(),
        },
    )
    def view(self: CaseViewSet, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        io.run(request.user, case.pk, actions_io.from_data(name.replace("-", "_"), request.data))
        return self._detail(case.pk)

    # The router calls the view by its function name, which must be the class attribute.
    view.__name__ = attr or name.replace("-", "_")
    return action(detail=True, methods=["post"], url_path=name, url_name=name)(view)


# What the intake answer (CaseDetailSerializer) reads besides the case row, per relation.
INTAKE_PREFETCH = {
    "assignments": ["assignments__department", "assignments__extensions"],
    "attachments": ["attachments"],
    "suspensions": ["suspensions"],
    "supervisions": ["supervisions__assignment"],
    "involved_persons": [involved.prefetch()],
    "links": [case_links.prefetch()],
}


def _intake_answer(result: services.IntakeResult, request: Request) -> dict[str, Any]:
    """The case detail of a report. A new report's relations that the intake service reports
    empty are answered empty unread (the same as a query would give); the others, and all of
    a resend's, are read."""
    case = result.case
    lookups = [
        p for name, paths in INTAKE_PREFETCH.items() if name not in result.empty for p in paths
    ]
    if lookups:
        prefetch_related_objects([case], *lookups)
    serializer, context = _answer_serializer()
    context.update({"request": request, s.EMPTY_RELATIONS: result.empty})
    try:
        return serializer.to_representation(case)
    finally:
        context.clear()


_answers = threading.local()


def _answer_serializer() -> tuple[s.CaseDetailSerializer, dict[str, Any]]:
    """This thread's CaseDetailSerializer and the context dict it was built with. Building a
    model serializer's fields costs about 1 ms (docs/performance.md, issue 11), more than
    rendering a case, so intake (the API's busiest write) builds it once per thread. Only
    public API: the serializer reads the context it was given, which each answer fills and
    empties; it renders with ``to_representation`` and keeps no state of a request."""
    built = getattr(_answers, "built", None)
    if built is None:
        context: dict[str, Any] = {}
        built = _answers.built = (s.CaseDetailSerializer(context=context), context)
    return built


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Cases the user may see (R22.1): agency staff their region's, departments those
    assigned to them, grid workers their grids', residents their own."""

    queryset = Case.objects.select_related("entry__item", "lead_department").order_by(
        "-created_at", "-pk"
    )
    filterset_class = CaseFilter
    action_scopes = {
        "archive": "view",
        "export_json": "view",
        "export_pdf": "view",
        "reveal": "view",  # the reveal service checks the role itself and logs (R22.1)
        "links": "view",  # the linking service checks who may change the links (ADR 0010)
    }

    def get_serializer_class(self) -> type:
        if self.action == "create":
            return s.IntakeSerializer
        if self.action == "list":
            return s.CaseSerializer
        return s.CaseDetailSerializer

    def get_queryset(self) -> QuerySet[Case]:
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.prefetch_related(
                "assignments__department",
                "assignments__extensions",
                "attachments",
                "suspensions",
                "supervisions__assignment",
                involved.prefetch(),
                case_links.prefetch(),
            )
        else:
            # what available_actions looks at, for every case of the page
            qs = qs.prefetch_related("assignments__extensions", "suspensions", "supervisions")
        return qs

    def _detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=pk)
        return Response(
            s.CaseDetailSerializer(case, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        summary="Report a case (idempotent by client_id)",
        request={"application/json": s.IntakeSerializer, "multipart/form-data": s.IntakeSerializer},
        responses={
            201: s.CaseDetailSerializer,
            400: OpenApiResponse(description="bad input, with field messages"),
            409: OpenApiResponse(
                description="client_id already used by another report of this reporter: "
                "the answer names the stored case (case.id, case.tracking_code)"
            ),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = s.IntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.intake(request.user, serializer.to_report())
        # Every resend gets the same answer as the first (a phone cannot tell them apart).
        response = Response(_intake_answer(result, request), status=status.HTTP_201_CREATED)
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response

    verify = _action("Verify a report on site", "verify")
    settle = _action("Settled on the spot", "settle")
    accept = _action("Accept (立案)", "accept")
    decline = _action("Decline with a reason", "decline")
    escalate = _action("Escalate to the agency one level up", "escalate")
    # Not "dispatch": that name is APIView.dispatch, which every request goes through.
    dispatch_case = _action(
        "Dispatch to a lead department and co-departments", "dispatch", attr="dispatch_case"
    )
    sign = _action("Sign for an assignment", "sign")
    feedback = _action("Feed back the result", "feedback")
    end_assignment = _action(
        "End a co-department's open assignment, with a reason (R25.1)", "end-assignment"
    )
    check = _action("Check the result", "check")
    evaluate = _action("Rate the result", "evaluate")
    review = _action(
        "Review an unsatisfied rating: reopen or confirm, with a reason (R27.1)", "review"
    )
    extend = _action("Request more time", "extend")
    decide_extension = _action("Approve or refuse an extension", "decide-extension")
    suspend = _action("Request a suspension", "suspend")
    decide_suspension = _action("Approve or refuse a suspension", "decide-suspension")
    resume = _action("Resume a suspended case", "resume")
    supervise = _action("Supervise (督办)", "supervise")
    answer = _action("Answer a supervision", "answer")

    @extend_schema(
        summary="Reveal the reporter's phone or an involved person's number (logged, R22.1)",
        request=s.CaseRevealSerializer,
        responses={
            200: s.CaseRevealResultSerializer,
            400: OpenApiResponse(description="no reason, or not a protected field/person"),
            403: OpenApiResponse(description="role may not see personal data (attempt logged)"),
            404: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        data = _data(s.CaseRevealSerializer, request)
        value = case_reveal.reveal(
            request.user,
            case,
            data["field"],
            person=data.get("person"),
            reason=data["reason"],
        )
        return Response({"field": data["field"], "person": data.get("person"), "value": value})

    @extend_schema(
        summary="Link or unlink one registry record on an open case (ADR 0010, R22.1)",
        request=s.LinkStepSerializer,
        responses={
            200: s.CaseDetailSerializer,
            400: OpenApiResponse(
                description="bad input; a record not visible to the account (不存在或无权查看); "
                "already linked / not linked; the case closed"
            ),
            403: OpenApiResponse(description="not one of the case's workers, agency, departments"),
            404: OpenApiResponse(),
        },
    )
    @action(detail=True, methods=["post"], url_path="links")
    def links(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        serializer = s.LinkStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = linking.OPS[serializer.validated_data["op"]]
        service(request.user, case.pk, serializer.to_input())
        return self._detail(case.pk)

    @extend_schema(
        summary="The case's electronic archive: the hash chain (R26.2)",
        responses=s.CaseEventSerializer(many=True),
    )
    # The chain is verified whole (R26.2) and a case has tens of events: one array, no pages.
    @action(detail=True, methods=["get"], pagination_class=None)
    def archive(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        events = case.events.order_by("seq")
        return Response(s.CaseEventSerializer(events, many=True).data)

    @extend_schema(
        summary="The whole case file as JSON, verifiable on its own (R26.2, docs/archive.md)",
        responses={200: dict},
    )
    @action(detail=True, methods=["get"], url_path="export.json")
    def export_json(self, request: Request, pk: str | None = None) -> HttpResponse:
        case = self.get_object()
        # A file to keep and re-check (verify_archive --file), also from a browser's link:
        # always JSON, never the browsable API's page.
        text = json.dumps(exports.case_file(case, request.user), ensure_ascii=False, indent=1)
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="case-{case.tracking_code}.json"'
        return response

    @extend_schema(
        summary="The whole case file as PDF (R26.2)", responses={(200, "application/pdf"): bytes}
    )
    @action(detail=True, methods=["get"], url_path="export.pdf")
    def export_pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        case = self.get_object()
        response = HttpResponse(
            exports.case_pdf(case, request.user), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="case-{case.tracking_code}.pdf"'
        return response


# "return" is a Python keyword, so this action is attached after the class is built.
setattr(CaseViewSet, "return", _action("Return: outside the department's duties (R24.4)", "return"))
