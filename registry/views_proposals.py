"""The township agency's queue of grid workers' proposals (R11.1 (二), R22.1):
``/registry/proposals/`` lists what waits in my jurisdiction (by grid, by kind), and each
proposal's page shows every field before and after (masked), the phone's GPS point and time,
with confirm and reject (a reason required). The views parse and call one service each
(``registry.services.proposals``); a refusal is shown on the page, nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridgov.access import scoping
from gridgov.access.web import ScopedListView, ScopedView
from gridgov.errors import DomainError
from regions import geometry as geo
from regions.models import Grid
from registry import proposal_display, proposal_rules
from registry.models import REVIEWER_ROLES, Proposal, ProposalKind, ProposalStatus
from registry.services import proposals as service


class ProposalListView(ScopedListView):
    """Proposals of my jurisdiction, pending first by default (filter by status, grid, kind)."""

    model = Proposal
    template_name = "registry/proposals/list.html"
    context_object_name = "proposals"

    def filters(self) -> dict[str, str]:
        params = self.request.GET
        wanted = params.get("status", ProposalStatus.PENDING)
        return {
            "status": wanted if wanted in {*ProposalStatus.values, "all"} else "pending",
            "kind": params.get("kind", "") if params.get("kind") in ProposalKind.values else "",
            "grid": "".join(ch for ch in params.get("grid", "") if ch.isdigit())[:15],
        }

    def get_queryset(self) -> QuerySet[Proposal]:
        queryset = super().get_queryset().select_related("proposer").order_by("created_at", "pk")
        wanted = self.filters()
        if wanted["status"] != "all":
            queryset = queryset.filter(status=wanted["status"])
        if wanted["kind"]:
            queryset = queryset.filter(kind=wanted["kind"])
        if wanted["grid"]:
            queryset = queryset.filter(grid_code__startswith=wanted["grid"])
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            filters=self.filters(),
            statuses=ProposalStatus.choices,
            kinds=ProposalKind.choices,
            query=self.query_without_page(),
        )
        return context


class ProposalDetailView(ScopedView):
    """One proposal: before and after, the map point, confirm or reject with a reason."""

    model = Proposal

    def get_proposal(self, pk: int) -> Proposal:
        found = self.get_queryset().select_related("proposer", "reviewer").filter(pk=pk).first()
        if found is None:
            raise Http404(_("没有这条采集信息"))
        return found

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(self.get_proposal(pk), {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        proposal = self.get_proposal(pk)
        decision = request.POST.get("decision", "")
        try:
            if decision == "confirm":
                service.confirm(request.user, proposal)
                messages.success(request, _("已确认,信息已生效"))
            elif decision == "reject":
                service.reject(request.user, proposal, request.POST.get("reason", ""))
                messages.success(request, _("已退回"))
            else:
                raise DomainError(_("请选择确认或退回"), field="decision")
        except DomainError as exc:
            errors = {exc.field if exc.field == "reason" else "general": exc.message}
            values = {"reason": request.POST.get("reason", "")}
            return self.page(self.get_proposal(pk), errors, values, status=exc.http_status)
        return redirect("registry:proposals")

    def page(
        self,
        proposal: Proposal,
        errors: dict[str, str],
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        grid = Grid.objects.current().filter(code=proposal.grid_code).first()
        point = [proposal.lng, proposal.lat] if proposal.lng is not None else None
        context = {
            "proposal": proposal,
            "rows": proposal_display.rows(proposal),
            "rule": proposal_rules.RULES[proposal.kind],
            "may_review": proposal.status == ProposalStatus.PENDING
            and scoping.has_role(
                self.request.user,
                REVIEWER_ROLES,
                region_code=proposal.grid_code or proposal.region_code,
            ),
            "location": {
                "point": point,
                "grid": geo.to_geojson(grid.geometry, 6) if grid is not None else None,
            },
            "errors": errors,
            "values": values or {},
        }
        return render(self.request, "registry/proposals/detail.html", context, status=status)


class ProposalPhotoView(ScopedView):
    """The photo of a proposal, to those who may see the proposal (R22.1)."""

    model = Proposal

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        proposal = self.get_queryset().filter(pk=pk).first()
        if proposal is None or not proposal.photo:
            raise Http404(_("没有照片"))
        try:
            handle = proposal.photo.open("rb")
        except FileNotFoundError:
            raise Http404(_("没有照片")) from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
