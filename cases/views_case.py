"""One case on the agency console and the department workbench (issue 6; R24–R27): the
page (``/console/cases/<pk>/``, ``/dept/cases/<pk>/``) with everything known about the case
and a form for each action the state machine offers this user now, and the view the forms
post to (:mod:`cases.actions_io` parses them, the service acts). A refused action comes back
in place with the service's reason and the input kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_htmx.http import HttpResponseClientRedirect

from cases import (
    actions_io,
    involved,
    labels,
    machine,
    mapdata,
    recompute,
)
from cases import links as case_links
from cases.models import (
    Assignment,
    AssignmentState,
    Case,
    CaseEvent,
    DutyRuling,
    Extension,
    Rating,
    RequestStatus,
    Review,
    Supervision,
    Suspension,
)
from cases.personal_cells import personal_context
from cases.views import CaseScopedView, is_htmx
from gridgov.access.web import safe_next
from gridgov.errors import DomainError
from gridgov.parsing import parse_id
from people.models import Department
from regions import geometry as geo

# --- one case --------------------------------------------------------------------------------


def case_queryset(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Everything the case page and :func:`cases.machine.available_actions` read, prefetched."""
    assignments = (
        Assignment.objects.select_related("department", "signed_by", "fed_back_by")
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by", "decided_by"),
            )
        )
        .order_by("dispatched_at", "pk")
    )
    return cases.select_related(
        "entry__item",
        "entry__version__admission_list__county",
        "entry__lead_department",
        "grid",
        "lead_department",
    ).prefetch_related(
        "entry__co_departments",
        Prefetch("assignments", queryset=assignments),
        Prefetch(
            "suspensions", queryset=Suspension.objects.select_related("requested_by", "decided_by")
        ),
        Prefetch(
            "supervisions",
            queryset=Supervision.objects.select_related(
                "assignment__department", "by", "answered_by"
            ),
        ),
        Prefetch(
            "rulings",
            queryset=DutyRuling.objects.select_related(
                "responsible_department", "returned_assignment__department", "decided_by"
            ),
        ),
        "attachments",
        involved.prefetch(),
        case_links.prefetch(),
    )


def _event_details(event: CaseEvent, departments: dict[int, str]) -> list[str]:
    """A few words on what an archive event decided (departments, deadlines, results)."""
    data = event.data or {}
    details = []
    if event.action == "dispatch":
        if lead := data.get("lead_department"):
            details.append(_("牵头:%(d)s") % {"d": departments.get(lead, lead)})
        if co := data.get("co_departments"):
            names = pgettext("list separator", "、").join(str(departments.get(d, d)) for d in co)
            details.append(_("协办:%(d)s") % {"d": names})
        if data.get("ruling"):
            details.append(_("职责争议裁定"))
    elif event.action in ("sign", "return", "feedback", "extend", "end_assignment") and data.get(
        "department"
    ):
        details.append(str(departments.get(data["department"], data["department"])))
    if event.action == "extend":
        unit = _("个工作日") if data.get("unit") == "workdays" else _("个工作小时")
        details.append(_("申请延长 %(n)s %(unit)s") % {"n": data.get("amount"), "unit": unit})
    if event.action in ("decide_extension", "decide_suspension"):
        details.append(_("批准") if data.get("approved") else _("不批准"))
    if event.action == "check":
        details.append(_("核查通过") if data.get("passed") else _("核查不通过,返工"))
    if event.action == "verify" and data.get("valid") is False:
        details.append(_("核实不属实"))
    if event.action == recompute.ACTION:
        details += recompute.describe(data, departments)
    if event.action == "escalate":
        details.append(f"{data.get('from_level', '')} → {data.get('to_level', '')}")
    if event.action == "review":
        details.append(_("重新办理") if data.get("decision") == "reopened" else _("维持结案"))
    if event.action == "regrid":
        details.append(f"{data.get('from_grid', '')} → {data.get('to_grid', '')}")
        if data.get("by_point") is False:
            details.append(_("位置不在新网格内,按原网格面积最大部分归属"))
    if event.action == "evaluate" and data.get("rating"):
        details.append(str(dict(Rating.choices).get(data["rating"], data["rating"])))
    return details


def _timeline(case: Case) -> list[dict[str, Any]]:
    departments = {a.department_id: a.department.name for a in case.assignments.all()}
    if case.entry.lead_department_id:
        departments.setdefault(case.entry.lead_department_id, case.entry.lead_department.name)
    events = case.events.order_by("seq").select_related("actor").prefetch_related("files")
    return [
        {
            "event": e,
            "label": labels.event_label(e.action),
            "who": labels.actor(e),
            "role": labels.role_label(e.role),
            "details": _event_details(e, departments),
            "from_label": labels.state_label(e.from_state) if e.from_state else "",
            "to_label": labels.state_label(e.to_state) if e.to_state else "",
        }
        for e in events
    ]


def covering_departments(case: Case) -> list[Department]:
    """Departments whose region contains the case's place (R24.2: who may be dispatched).

    Chosen by the case's place, not by the dispatcher's own organisation scope: a township
    dispatcher dispatches to county and city departments that scope does not reach."""
    codes = [case.grid_code[:n] for n in (2, 4, 6, 9, 12)]
    return list(
        Department.objects.filter(is_active=True, region__code__in=codes)
        .select_related("region", "kind")
        .order_by("-region__code", "kind__sort_order", "name")
    )


@dataclass
class ActionForm:
    name: str
    label: Any
    template: str
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    error: str = ""
    error_field: str = ""
    values: QueryDict | None = None
    danger: bool = False

    @property
    def dom_id(self) -> str:
        return f"action-{self.name}"


DANGEROUS = frozenset({"decline", "return", "escalate"})


def action_forms(
    user: Any,
    case: Case,
    *,
    failed: str = "",
    error: DomainError | None = None,
    values: QueryDict | None = None,
) -> list[ActionForm]:
    forms = []
    # the way forward first; declining, returning and escalating after it
    names = sorted(machine.available_actions(user, case), key=lambda n: n in DANGEROUS)
    for name in names:
        form = ActionForm(
            name=name,
            label=machine.ACTIONS[name].label,
            template=f"cases/actions/{name}.html",
            danger=name in DANGEROUS,
        )
        if name == failed and error is not None:
            form.error, form.error_field, form.values = error.message, error.field or "", values
        forms.append(form)
    return forms


def action_context(user: Any, case: Case, values: QueryDict | None = None) -> dict[str, Any]:
    """What the action forms show: departments to dispatch to, requests to decide, …"""
    assignments = list(case.assignments.all())
    live = [a for a in assignments if a.state != AssignmentState.WITHDRAWN]
    returned = max(
        (a for a in assignments if a.role == "lead" and a.state == AssignmentState.RETURNED),
        key=lambda a: (a.returned_at is not None, a.returned_at, a.pk),
        default=None,
    )
    suggested_lead = case.entry.lead_department_id
    suggested_co = {d.pk for d in case.entry.co_departments.all()}
    if values is not None and values.get("action") == "dispatch":
        lead = values.get("lead_department", "")
        chosen_lead = parse_id(lead)
        chosen_co = {pk for v in values.getlist("co_departments") if (pk := parse_id(v))}
    else:
        chosen_lead, chosen_co = suggested_lead, suggested_co
    open_co = machine.open_co_assignments(case)
    found = machine.authority(user, case, (machine.DEPARTMENT,))
    mine = {
        a.pk
        for a in assignments
        if found is not None and found.department_id in (None, a.department_id)
    }
    return {
        "suggested_lead": suggested_lead,
        "suggested_co": suggested_co,
        "chosen_lead": chosen_lead,
        "chosen_co": chosen_co,
        "returned": returned,
        "pending_extensions": [
            e for a in assignments for e in a.extensions.all() if e.status == RequestStatus.PENDING
        ],
        "pending_suspension": next(
            (s for s in case.suspensions.all() if s.status == RequestStatus.PENDING), None
        ),
        "supervisable": [a for a in live if a.state != AssignmentState.ENDED],
        # co-departments still open: the case cannot close before they are done (R25.1)
        "open_co": open_co,
        "open_co_names": pgettext("list separator", "、").join(a.department.name for a in open_co),
        "my_open_supervisions": [
            s for s in case.supervisions.all() if s.answered_at is None and s.assignment_id in mine
        ],
        "ratings": Rating.choices,
        "pending_review": next(
            (r for r in case.reviews.all() if r.status == Review.Status.PENDING), None
        )
        if case.review_pending
        else None,
    }


def _mini_map(case: Case) -> dict[str, Any]:
    grid = case.grid.geometry if case.grid_id else None
    if grid is not None:
        grid = grid.simplify(mapdata.SIMPLIFY_TOLERANCE / 10, preserve_topology=True)
    return {"point": [case.lng, case.lat], "grid": geo.to_geojson(grid, precision=6)}


class CaseDetailView(CaseScopedView):
    """Everything known about a case, its archive, deadlines, and the actions offered now."""

    workbench = "console"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(case_queryset(self.get_queryset()), pk=pk)
        return self.render_case(request, case)

    def render_case(
        self,
        request: HttpRequest,
        case: Case,
        *,
        failed: str = "",
        error: DomainError | None = None,
        values: QueryDict | None = None,
        status: int = 200,
        revealed: dict[str, str] | None = None,
        reveal_failed: str = "",
        reveal_error: str = "",
    ) -> HttpResponse:
        user = request.user
        forms = action_forms(user, case, failed=failed, error=error, values=values)
        # A refusal of an action the page does not offer (any more) is said at the top.
        refusal = error.message if error is not None and not any(f.error for f in forms) else ""
        context = {
            "refusal": refusal,
            "case": case,
            "workbench": self.workbench,
            "forms": forms,
            "ctx": action_context(user, case, values),
            "departments": covering_departments(case)
            if any(f.name == "dispatch" for f in forms)
            else [],
            "timeline": _timeline(case),
            "assignments": list(case.assignments.all()),
            "mini_map": _mini_map(case),
            "next": request.get_full_path(),
            "back_url": reverse("cases:inbox" if self.workbench == "dept" else "cases:console"),
            "personal": personal_context(
                user,
                case,
                workbench=self.workbench,
                revealed=revealed,
                failed=reveal_failed,
                error=reveal_error,
            ),
        }
        return render(request, "cases/case_detail.html", context, status=status)


# --- actions ---------------------------------------------------------------------------------


DONE_MESSAGES = {
    "extend": gettext_lazy("延期申请已提交,等待审批"),
    "suspend": gettext_lazy("挂起申请已提交,等待审批"),
}


class CaseActionView(CaseDetailView):
    """POST one action (``action`` field) → the service. Success: back to the page it came
    from (htmx: a client redirect); refusal: the form again, in place, with the reason."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cases = case_queryset(self.get_queryset())
        case = get_object_or_404(cases, pk=pk)
        name = request.POST.get("action", "")
        io = actions_io.ACTIONS.get(name)
        if io is None:
            return HttpResponse(_("没有这个操作"), status=400, content_type="text/plain")
        client_id = (request.POST.get("client_id") or "")[:64]
        try:
            value = actions_io.from_form(name, request.POST, request.FILES, client_id=client_id)
            io.run(request.user, case.pk, value)
        except DomainError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from exc
            return self.refused(request, cases.get(pk=case.pk), name, exc)
        label = machine.ACTIONS[name].label
        messages.success(
            request,
            str(DONE_MESSAGES.get(name, ""))
            or _("%(code)s:%(action)s完成") % {"code": case.tracking_code, "action": label},
        )
        target = safe_next(request, self.case_url(case))
        if is_htmx(request):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)

    def case_url(self, case: Case) -> str:
        name = "cases:dept-case" if self.workbench == "dept" else "cases:case"
        return reverse(name, args=[case.pk])

    def refused(
        self, request: HttpRequest, case: Case, name: str, exc: DomainError
    ) -> HttpResponse:
        values = request.POST
        if not is_htmx(request):
            return self.render_case(
                request, case, failed=name, error=exc, values=values, status=exc.http_status
            )
        form = ActionForm(
            name=name,
            label=machine.ACTIONS[name].label,
            template=f"cases/actions/{name}.html",
            error=exc.message,
            error_field=exc.field or "",
            values=values,
            danger=name in DANGEROUS,
        )
        dom_id = request.POST.get("dom_id") or form.dom_id
        context = {
            "case": case,
            "form": form,
            "dom_id": dom_id,
            "ctx": action_context(request.user, case, values),
            "departments": covering_departments(case) if name == "dispatch" else [],
            "next": safe_next(request, self.case_url(case)),
        }
        # 4xx answers are swapped in place (htmx-config in cases/base.html).
        return render(request, "cases/_action.html", context, status=exc.http_status)
