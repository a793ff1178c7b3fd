"""Web pages for organisations and grid workers (R4–R6, R10–R13, R22.1), all scoped."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from audit import exporting
from audit import personal_data as pd
from audit import services as audit
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedDetailView, ScopedListView, ScopedView
from gridgov.errors import DomainError, Forbidden, RateLimited
from people import reports, services
from people.actions import PeopleAction
from people.exact_search import exact_search, may_search
from people.models import (
    Department,
    DepartmentKind,
    GridAgency,
    GridAssignment,
    GridWorker,
    VillageCommittee,
    WorkerKind,
    WorkerStatus,
)
from regions.models import Grid


def _filter_workers(user: Any, queryset: QuerySet[GridWorker], params: Any) -> QuerySet[GridWorker]:
    """The list's filters; ``match`` (a full ID or phone number) is a logged, limited search
    that raises Forbidden or RateLimited (see people.exact_search)."""
    if kind := params.get("kind"):
        queryset = queryset.filter(kind=kind)
    if worker_status := params.get("status"):
        queryset = queryset.filter(status=worker_status)
    if region := params.get("region", "").strip():
        queryset = queryset.filter(region_code__startswith=region)
    if grid := params.get("grid", "").strip():
        queryset = queryset.filter(
            pk__in=GridAssignment.objects.active()
            .filter(grid_code__startswith=grid)
            .values("worker")
        )
    if q := params.get("q", "").strip():
        queryset = queryset.filter(name__icontains=q)
    if match := params.get("match", "").strip():
        queryset = exact_search(user, queryset, match)
    return queryset


class WorkerListView(ScopedListView):
    """Grid workers of my jurisdiction, masked (R10.1, R22.1)."""

    model = GridWorker
    template_name = "people/worker_list.html"
    context_object_name = "workers"

    def get_queryset(self) -> QuerySet[GridWorker]:
        queryset = (
            super()
            .get_queryset()
            .select_related("village", "department")
            .prefetch_related(
                Prefetch("assignments", queryset=GridAssignment.objects.active().order_by("pk"))
            )
        )
        try:
            return _filter_workers(self.request.user, queryset, self.request.GET)
        except (Forbidden, RateLimited) as refused:
            self.refused = refused
            messages.error(self.request, refused.message)
            return queryset.none()

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        refused = getattr(self, "refused", None)
        if refused is not None:
            response.status_code = refused.http_status
            if isinstance(refused, RateLimited):
                response["Retry-After"] = str(refused.retry_after)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            may_search_numbers=may_search(self.request.user),
            kinds=WorkerKind.choices,
            statuses=WorkerStatus.choices,
            filters=self.request.GET,
            query=params.urlencode(),
        )
        return context


WORKER_COLUMNS: list[exporting.Column] = [
    (gettext_lazy("姓名"), lambda w: w.name),
    (gettext_lazy("类别"), lambda w: w.get_kind_display()),
    (gettext_lazy("状态"), lambda w: w.get_status_display()),
    (
        gettext_lazy("党员"),
        lambda w: gettext_lazy("是") if w.is_party_member else gettext_lazy("否"),
    ),
    (gettext_lazy("所属区域代码"), lambda w: w.region_code),
    (gettext_lazy("所属村(社区)"), lambda w: w.village.name if w.village_id else ""),
    (gettext_lazy("派出部门"), lambda w: w.department.name if w.department_id else ""),
    (gettext_lazy("工作电话"), lambda w: w.work_phone),
    (gettext_lazy("身份证号"), lambda w: w.id_number_masked),
    (gettext_lazy("个人手机"), lambda w: w.personal_phone_masked),
    (
        gettext_lazy("服务网格"),
        lambda w: " ".join(a.grid_code for a in w.assignments.all()),
    ),
]


class WorkerExportView(ScopedView):
    """The filtered worker list as CSV or xlsx; personal data stays masked (R22.1)."""

    model = GridWorker

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("format", "csv")
        if fmt not in exporting.FORMATS:
            fmt = "csv"
        try:
            workers = _filter_workers(
                request.user,
                self.get_queryset()
                .select_related("village", "department")
                .prefetch_related(
                    Prefetch("assignments", queryset=GridAssignment.objects.active().order_by("pk"))
                ),
                request.GET,
            )[: exporting.EXPORT_LIMIT]
        except (Forbidden, RateLimited) as refused:
            messages.error(request, refused.message)
            params = request.GET.copy()
            for name in ("match", "format"):
                params.pop(name, None)
            return redirect(f"{reverse('people:workers')}?{params.urlencode()}")
        _log_export(request, PeopleAction.WORKER_EXPORT, GridWorker, request.GET.urlencode())
        return exporting.export(workers, WORKER_COLUMNS, filename="grid-workers", fmt=fmt)


def _log_export(request: HttpRequest, action: PeopleAction, model: Any, query: str) -> None:
    codes = scoping.jurisdictions(request.user)
    with transaction.atomic():
        audit.record(
            request.user,
            action,
            object_type=model._meta.label_lower,
            object_repr=str(model._meta.verbose_name_plural),
            note=pd.mask_query_string(query)[:1000],
            region_code=codes[0] if len(codes) == 1 else "",
        )


class WorkerDetailView(ScopedDetailView):
    """One worker: assignments, employment, training, equipment; reveal for those who may."""

    model = GridWorker
    template_name = "people/worker_detail.html"
    context_object_name = "worker"

    def get_queryset(self) -> QuerySet[GridWorker]:
        return super().get_queryset().select_related("village", "department", "agency", "user")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        worker = self.object
        context.update(
            assignments=worker.assignments.order_by("-started_on", "grid_code"),
            employments=worker.employments.order_by("-started_on"),
            trainings=worker.trainings.order_by("-held_on"),
            equipment=worker.equipment.order_by("-issued_on"),
            may_reveal=scoping.has_role(
                self.request.user, R.PERSONAL_DATA_REVEALERS, region_code=worker.region_code
            ),
            revealed=kwargs.get("revealed", {}),
            reveal_error=kwargs.get("reveal_error", ""),
        )
        return context


class WorkerRevealView(ScopedView):
    """POST field + reason → the page (or, for htmx, the cell) with the value, logged."""

    model = GridWorker
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        worker = get_object_or_404(self.get_queryset(), pk=pk)
        field = request.POST.get("field", "")
        htmx = bool(getattr(request, "htmx", False))
        try:
            value = services.reveal(
                request.user, worker, field, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            if htmx:
                context = {"worker": worker, "field": field, "error": exc.message}
                return render(request, "people/_reveal_cell.html", context, status=exc.http_status)
            return self._detail(request, worker, status=exc.http_status, reveal_error=exc.message)
        if htmx:
            context = {"worker": worker, "field": field, "value": value}
            return render(request, "people/_reveal_cell.html", context)
        return self._detail(request, worker, revealed={field: value})

    def _detail(
        self, request: HttpRequest, worker: GridWorker, *, status: int = 200, **extra: Any
    ) -> HttpResponse:
        view = WorkerDetailView()
        view.setup(request, pk=worker.pk)
        view.object = worker
        context = view.get_context_data(object=worker, **extra)
        return render(request, "people/worker_detail.html", context, status=status)


class VacantGridListView(ScopedView):
    """Current grids of my jurisdiction without an active leader (R10.2)."""

    model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        empty = request.GET.get("empty") == "1"
        page = Paginator(
            reports.vacant_grids(request.user, without_any_worker=empty), 100
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "people/vacant_grids.html",
            {
                "page": page,
                "rows": reports.describe(list(page.object_list)),
                "orphaned": reports.orphaned_assignments(request.user)[:200],
                "empty": empty,
            },
        )


class AgencyListView(ScopedListView):
    model = GridAgency
    template_name = "people/agency_list.html"
    context_object_name = "agencies"

    def get_queryset(self) -> QuerySet[GridAgency]:
        return super().get_queryset().select_related("region")


class DepartmentListView(ScopedListView):
    model = Department
    template_name = "people/department_list.html"
    context_object_name = "departments"

    def get_queryset(self) -> QuerySet[Department]:
        queryset = super().get_queryset().select_related("region", "kind")
        if kind := self.request.GET.get("kind"):
            queryset = queryset.filter(kind__code=kind)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = scoping.scope_queryset(self.request.user, DepartmentKind.objects.all())
        context["current_kind"] = self.request.GET.get("kind", "")
        return context


class CommitteeListView(ScopedListView):
    model = VillageCommittee
    template_name = "people/committee_list.html"
    context_object_name = "committees"

    def get_queryset(self) -> QuerySet[VillageCommittee]:
        return super().get_queryset().select_related("region").prefetch_related("members")
