"""The grid worker's phone app (``/m/``): today's tasks, report a case, verify, settle, check.

Server-rendered pages that work without JavaScript (each form posts here and calls the case
services). With JavaScript (``static/fieldwork/app.js``) the same forms are queued on the
phone first and sent to the REST API, so a report made without a network is kept and sent
later; the services are idempotent on ``client_id``, so a resend never makes a second case
(R24.1, R18.1).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import actions_io, involved, machine, matter_choices, services
from cases.models import Case, InvolvedRole, State
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedView
from gridgov.errors import DomainError
from regions import geometry as geo
from regions.models import Grid

TASK_LIMIT = 50
RECENT_LIMIT = 20
# What a grid worker does on the phone; the other actions belong to the agency console.
PHONE_ACTIONS = ("verify", "settle", "check")
# The choice the worker must make on the phone's form of an action.
OUTCOMES = {
    "verify": ("valid", gettext_lazy("请选择核实结果")),
    "check": ("passed", gettext_lazy("请选择核查结果")),
}
TRUE_VALUES = {"1", "true", "on", "yes"}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in TRUE_VALUES


def _client_id(value: str | None) -> str:
    """The form's resend key, or a fresh one (a form without JavaScript still has one)."""
    text = (value or "").strip()
    return text[:64] if text else str(uuid.uuid4())


def _errors(exc: DomainError, shown: tuple[str, ...]) -> dict[str, str]:
    """The message under the field it names, or at the top of the form."""
    return {exc.field if exc.field in shown else "general": exc.message}


class FieldView(ScopedView):
    """A page of the phone app: signed in, with a role that reads cases (R22.1)."""

    scope_model = Case

    def grid_codes(self) -> list[str]:
        return sorted({g.code for g in scoping.grants_for(self.request.user, R.GRID_ROLES)})

    def cases(self) -> QuerySet[Case]:
        return self.scoped(Case.objects.select_related("entry__item"))

    def not_a_grid_worker(self) -> HttpResponse:
        return render(self.request, "fieldwork/not_a_worker.html", status=403)


class HomeView(FieldView):
    """Today's tasks (R24.1, R26.1): reports to verify and cases to check in my grids, and my
    recent reports with their state. The phone's queue ("待发送") is drawn by app.js."""

    def get(self, request: HttpRequest) -> HttpResponse:
        codes = self.grid_codes()
        if not codes:
            return self.not_a_grid_worker()
        cases = self.cases()
        mine = cases.filter(grid_code__in=codes)
        context = {
            "to_verify": list(
                mine.filter(state=State.REPORTED).order_by("created_at")[:TASK_LIMIT]
            ),
            "to_check": list(mine.filter(state=State.HANDLED).order_by("handled_at")[:TASK_LIMIT]),
            "recent": list(
                cases.filter(reporter=request.user).order_by("-created_at")[:RECENT_LIMIT]
            ),
            "grids": Grid.objects.current().filter(code__in=codes).order_by("code"),
        }
        template = "fieldwork/_tasks.html" if request.htmx else "fieldwork/home.html"
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])  # a fragment and a page at one URL
        return response


class ReportView(FieldView):
    """Report a case in a few taps (R24.1): place (GPS or a tap on the map of my grid), photos,
    the matter from the county's admission list in force, description, urgent, settled on the
    spot when the entry allows it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.grid_codes():
            return self.not_a_grid_worker()
        return self.form({"client_id": str(uuid.uuid4())}, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.grid_codes():
            return self.not_a_grid_worker()
        data = request.POST
        values = {key: data.get(key, "") for key in REPORT_FIELDS}
        values["client_id"] = _client_id(values["client_id"])
        settled = _flag(data.get("settled"))
        if not values["matter"]:
            return self.form(values, {"matter": _("请选择事项")}, status=400)
        if settled and not values["settle_note"].strip():
            return self.form(values, {"settle_note": _("请写明现场处置情况")}, status=400)
        try:
            report = actions_io.report_from_form(
                values
                | {
                    "urgent": _flag(values["urgent"]),
                    "settle_note": values["settle_note"] if settled else "",
                    "photos": request.FILES.getlist("photos"),
                    # the form's rows, parsed as the serializer's field parses a list
                    "involved": involved.parse(involved.from_form(data)),
                }
            )
            result = services.intake(request.user, report)
        except DomainError as exc:
            if exc.http_status == 409:  # another report under this key: a new key next time
                values["client_id"] = str(uuid.uuid4())
            status = 409 if exc.http_status == 409 else 400
            return self.form(values, _errors(exc, REPORT_SHOWN), status=status)
        case = result.case
        messages.success(
            request,
            _("已上报 %(matter)s,查询码 %(code)s(%(state)s)")
            % {
                "matter": case.entry.item.name,
                "code": case.tracking_code,
                "state": case.get_state_display(),
            },
        )
        return redirect("fieldwork:home")

    def form(
        self, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> HttpResponse:
        codes = self.grid_codes()
        grids = list(Grid.objects.current().filter(code__in=codes).order_by("code"))
        choices = matter_choices.choices_for({code[:6] for code in codes})
        context = {
            "values": values,
            "errors": errors,
            "grids": grids,
            "grid_shapes": [
                {"code": g.code, "name": g.name, "geometry": geo.to_geojson(g.geometry, 6)}
                for g in grids
            ],
            "counties": [c.as_json() for c in choices.values()],
            "entries": [e for c in choices.values() for e in c.entries],
            "involved_rows": involved.form_rows(self.request.POST),
            "involved_roles": InvolvedRole.choices,
        }
        return render(self.request, "fieldwork/report.html", context, status=status)


CASE_FIELDS = ("valid", "passed", "note", "photos")
# the report form's fields that have a place for an error message
REPORT_SHOWN = (
    "lng",
    "lat",
    "matter",
    "description",
    "address",
    "photos",
    "settle_note",
    "involved",
)
REPORT_FIELDS = (
    "lng",
    "lat",
    "matter",
    "description",
    "address",
    "urgent",
    "settle_note",
    "client_id",
)


class CaseView(FieldView):
    """One case on the phone, with the on-site actions this user may take now: verify a
    resident's or hotline report (R24.1), settle on the spot (R24.1), check a handled case
    (R26.1)."""

    def get_case(self, pk: int) -> Case:
        case = (
            self.cases()
            .select_related("grid", "lead_department")
            .prefetch_related("attachments", "assignments__extensions", "suspensions")
            .filter(pk=pk)
            .first()
        )
        if case is None:
            raise Http404(_("没有这个事件"))
        return case

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(self.get_case(pk), {}, {})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.get_case(pk)
        data = request.POST
        action = data.get("action", "")
        values = {
            "action": action,
            "note": data.get("note", ""),
            "valid": data.get("valid", ""),
            "passed": data.get("passed", ""),
            "client_id": _client_id(data.get("client_id")),
        }
        if action not in PHONE_ACTIONS:
            return self.page(case, values, {"action": _("请选择要办理的操作")}, status=400)
        try:
            # the phone's forms have no default result: the worker says which it is
            if action in OUTCOMES and values[OUTCOMES[action][0]] not in {"true", "false"}:
                field, message = OUTCOMES[action]
                raise DomainError(str(message), field=field)
            value = actions_io.from_form(action, data, request.FILES, client_id=values["client_id"])
            actions_io.ACTIONS[action].run(request.user, case.pk, value)
        except DomainError as exc:
            status = exc.http_status
            return self.page(self.get_case(pk), values, _errors(exc, CASE_FIELDS), status=status)
        case = self.get_case(pk)
        messages.success(
            request,
            _("事件 %(code)s:%(state)s")
            % {"code": case.tracking_code, "state": case.get_state_display()},
        )
        return redirect("fieldwork:home")

    def page(
        self, case: Case, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> HttpResponse:
        available = machine.available_actions(self.request.user, case)
        actions = [a for a in PHONE_ACTIONS if a in available]
        values = {"client_id": str(uuid.uuid4()), **values}
        context = {
            "case": case,
            "actions": actions,
            "action_labels": {a: machine.ACTIONS[a].label for a in actions},
            "values": values,
            "errors": errors,
            "point": {"lng": case.lng, "lat": case.lat},
            "grid_shape": geo.to_geojson(case.grid.geometry, 6) if case.grid_id else None,
            "api_base": reverse("case-detail", args=[case.pk]),
        }
        return render(self.request, "fieldwork/case.html", context, status=status)
