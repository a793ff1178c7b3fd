"""The agency console and the department workbench (issue 6; R24–R27), server-rendered.

- ``/console/``: queues with counts, filters and bulk actions, the jurisdiction's map (grids
  coloured by open cases, clustered case markers) and a chart panel, for dispatchers,
  supervisors and agency administrators;
- ``/dept/``: the department's inbox of assignments, sorted by deadline;
- ``/console/cases/<pk>/`` and ``/dept/cases/<pk>/``: one case, everything known about it, and
  a form for each action the state machine offers this user right now (:mod:`cases.views_case`).

Views only read (through :mod:`cases.worklists`, every queryset scoped) and call
:mod:`cases.services` for every change; a refused action comes back in place with the
service's reason and the input kept. A case outside the user's jurisdiction is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django_htmx.http import trigger_client_event

from cases import (
    calendar_notice,
    machine,
    mapdata,
    services,
    worklists,
)
from cases.models import (
    OPEN_STATES,
    Assignment,
    AssignmentState,
    Case,
    DeadlineStatus,
    RequestStatus,
    State,
)
from gridgov.access import scoping
from gridgov.access.web import ScopedView, safe_next
from gridgov.errors import DomainError
from gridgov.parsing import parse_ids
from people.models import Department
from regions.models import Region

PAGE_SIZE = 50
BULK_LIMIT = 200


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- access ----------------------------------------------------------------------------------


class WorkbenchView(ScopedView):
    """A workbench page for the roles ``may_use`` lets in: 403 with ``refusal`` for the
    others, the login page for anonymous visitors."""

    may_use: Callable[[Any], bool]
    refusal: Promise

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not type(self).may_use(request.user):
            raise PermissionDenied(str(self.refusal))
        return super().dispatch(request, *args, **kwargs)


class ConsoleView(WorkbenchView):
    """A console page: agency roles only."""

    model = Case
    may_use = staticmethod(worklists.may_use_console)
    refusal = gettext_lazy("调度台仅供网格化机构人员使用")

    def get_queryset(self) -> QuerySet[Case]:
        return worklists.console_cases(self.request.user)


class DepartmentView(WorkbenchView):
    """A department workbench page: department roles only."""

    model = Assignment
    may_use = staticmethod(worklists.may_use_inbox)
    refusal = gettext_lazy("部门工作台仅供联动部门人员使用")

    def get_queryset(self) -> QuerySet[Assignment]:
        return worklists.inbox_assignments(self.request.user)


class CaseScopedView(ScopedView):
    """One case of the user's agency jurisdiction or department; anything else is a 404
    (also for roles without a workbench: no hint that the case exists)."""

    model = Case

    def get_queryset(self) -> QuerySet[Case]:
        return worklists.page_cases(self.request.user)


# --- the agency console ----------------------------------------------------------------------


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _jurisdiction_names(codes: list[str]) -> str:
    """白沙街道 rather than 440703002 in the console's head."""
    if not codes:
        return _("全部")
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return pgettext("list separator", "、").join(names.get(code, code) for code in codes)


class ConsoleHomeView(ConsoleView):
    """Queues, filters, map and charts of the jurisdiction (R24.2, R27.1)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        filters = worklists.Filters.from_params(request.GET)
        queue = worklists.QUEUES[filters.queue]
        page = Paginator(worklists.queue_page_queryset(user, filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context: dict[str, Any] = {
            "filters": filters,
            "queue": queue,
            "queues": worklists.QUEUES.values(),
            "counts": worklists.queue_counts(user),
            "page_obj": page,
            "cases": page.object_list,
            "query": _query_without_page(request),
            "bulk_client_id": uuid.uuid4().hex,
        }
        if is_htmx(request) and request.htmx.target == "case-list":
            if request.htmx.trigger == "case-list":
                # the list reloads itself after an action changed cases ("casesChanged"):
                # the charts' numbers changed too (a filter or a tab leaves them as they are)
                context.update(stats=worklists.console_stats(user), stats_oob=True)
            return render(request, "cases/_case_list.html", context)
        codes = scoping.jurisdictions(user, worklists.CONSOLE_ROLES)
        context.update(
            states=[(s, label) for s, label in State.choices],
            deadlines=[
                (DeadlineStatus.NORMAL, DeadlineStatus.NORMAL.label),
                (DeadlineStatus.AMBER, DeadlineStatus.AMBER.label),
                (DeadlineStatus.RED, DeadlineStatus.RED.label),
            ],
            matters=worklists.matter_choices(user),
            stats=worklists.console_stats(user),
            jurisdiction=_jurisdiction_names(codes),
            state_labels=dict(State.choices),
            calendar_reminder=calendar_notice.reminder(user),
        )
        return render(request, "cases/console.html", context)


def _json(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/json")
    response["Cache-Control"] = "private, no-cache"
    return response


class GridLayerView(ConsoleView):
    """The jurisdiction's current grids (simplified polygons, cached) with open-case counts."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        prefixes = (
            None
            if scoping.is_unrestricted(user)
            else scoping.jurisdictions(user, worklists.CONSOLE_ROLES)
        )
        open_cases = self.get_queryset().filter(state__in=OPEN_STATES)
        return _json(mapdata.grid_layer(prefixes, open_cases))


class CasePointsView(ConsoleView):
    """Case markers for the console map, filtered like the list (all open cases by default)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        import json

        filters = worklists.Filters.from_params(request.GET)
        cases = filters.apply(request.user, self.get_queryset())
        return _json(json.dumps(mapdata.case_points(cases), separators=(",", ":")))


BULK_ACTIONS: dict[str, tuple[Any, Callable[..., Any]]] = {
    "accept": (
        gettext_lazy("批量立案"),
        lambda user, pk, cid: services.accept(user, pk, client_id=cid),
    ),
    # the admission entry's suggested departments (R24.2); a returned case whose suggestion
    # is the department that returned it needs a ruling and is refused here, item by item
    "dispatch": (
        gettext_lazy("按建议部门批量派遣"),
        lambda user, pk, cid: services.dispatch(user, pk, client_id=cid),
    ),
}


@dataclass
class BulkResult:
    pk: int
    code: str
    ok: bool
    message: str = ""


class BulkActionView(ConsoleView):
    """One service call per selected case; a refusal is reported for its case and the rest
    go on (each call is its own transaction)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        name = request.POST.get("action", "")
        back = safe_next(request, reverse("cases:console"))
        if name not in BULK_ACTIONS:
            return self._refuse(request, back, _("请选择批量操作"))
        ids = parse_ids(request.POST.getlist("ids"))
        if ids is None:
            return self._refuse(request, back, _("所选事件无效"))
        if not ids:
            return self._refuse(request, back, _("请先勾选事件"))
        if len(ids) > BULK_LIMIT:
            return self._refuse(request, back, _("一次最多处理 %(n)s 件") % {"n": BULK_LIMIT})
        label, call = BULK_ACTIONS[name]
        batch = (request.POST.get("client_id") or uuid.uuid4().hex)[:40]
        codes = dict(self.get_queryset().filter(pk__in=ids).values_list("pk", "tracking_code"))
        results = []
        for pk in ids:
            if pk not in codes:
                results.append(BulkResult(pk, "", False, _("没有这个事件")))
                continue
            try:
                call(request.user, pk, f"{batch}:{pk}")
            except DomainError as exc:
                results.append(BulkResult(pk, codes[pk], False, exc.message))
            else:
                results.append(BulkResult(pk, codes[pk], True))
        done = sum(r.ok for r in results)
        summary = _("%(action)s:成功 %(done)s 件,未成功 %(failed)s 件") % {
            "action": label,
            "done": done,
            "failed": len(results) - done,
        }
        if is_htmx(request):
            response = render(
                request, "cases/_bulk_result.html", {"results": results, "summary": summary}
            )
            return trigger_client_event(response, "casesChanged")
        messages.success(request, summary) if done else messages.error(request, summary)
        for result in results:
            if not result.ok:
                messages.error(request, f"{result.code or result.pk}: {result.message}")
        return HttpResponseRedirect(back)

    def _refuse(self, request: HttpRequest, back: str, message: str) -> HttpResponse:
        if is_htmx(request):
            results: list[BulkResult] = []
            return render(
                request,
                "cases/_bulk_result.html",
                {"results": results, "summary": message, "refused": True},
                status=400,
            )
        messages.error(request, message)
        return HttpResponseRedirect(back)


# --- the department inbox --------------------------------------------------------------------


class InboxView(DepartmentView):
    """The department's assignments with their deadlines, soonest first (R24.3, R27.1)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        key = request.GET.get("tab") or worklists.DEFAULT_TAB
        tab = worklists.INBOX_TABS.get(key) or worklists.INBOX_TABS[worklists.DEFAULT_TAB]
        text = (request.GET.get("q") or "").strip()[:100]
        page = Paginator(worklists.inbox_page_queryset(user, tab, text), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = [
            {
                "assignment": a,
                "case": a.case,
                "pending_extension": next(
                    (e for e in a.extensions.all() if e.status == RequestStatus.PENDING), None
                ),
                "last_extension": next(iter(a.extensions.all()), None),
                "open_supervisions": [s for s in a.supervisions.all() if s.answered_at is None],
                "may_sign": a.state == AssignmentState.DISPATCHED
                and a.case.state in machine.ACTIONS["sign"].sources,
                "may_feed_back": a.state == AssignmentState.SIGNED
                and a.case.state in machine.ACTIONS["feedback"].sources,
                "client_id": uuid.uuid4().hex,
            }
            for a in page.object_list
        ]
        departments = scoping.department_ids(user, worklists.DEPARTMENT_ROLES)
        context = {
            "tab": tab,
            "tabs": worklists.INBOX_TABS.values(),
            "counts": worklists.inbox_counts(user),
            "rows": rows,
            "page_obj": page,
            "text": text,
            "query": _query_without_page(request),
            "department_names": list(
                scoping.scope_queryset(user, Department.objects.filter(pk__in=sorted(departments)))
                .order_by("name")
                .values_list("name", flat=True)
            ),
            "next": request.get_full_path(),
        }
        return render(request, "cases/inbox.html", context)
