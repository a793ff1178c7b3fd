"""The notification centre's pages and the warnings pages (R26.1, R27.1, R22.1).

- the header badge (``/notifications/badge/``): polled by htmx every few seconds; answers
  204 (nothing changed since the state the page sent) or the badge itself, a few hundred
  bytes; 286 (htmx: stop polling, remove the badge) to a page whose session has ended;
- the list (``/notifications/``, and ``/m/notifications/`` inside the phone app), mark one
  read, mark all read (up to the newest one the page showed);
- the warnings (警示) of the agency's jurisdiction (``/console/warnings/``) and of the
  department, for its head (``/dept/warnings/``).

Views parse and render; :mod:`cases.notify.inbox` reads and marks, scoped to the person.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event

from cases import worklists
from cases.models import Warning
from cases.notify import inbox
from cases.notify.models import NotificationReceipt
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.access.web import ScopedView, safe_next
from gridgov.errors import DomainError, NotFound

CHANGED_EVENT = "notificationsChanged"  # the badge listens for it (hx-trigger … from:body)
STOP_POLLING = 286  # htmx: swap the (empty) answer and stop polling


def _namespace(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.namespace if match is not None else ""


def badge_context(request: HttpRequest, workbench: str | None = None) -> dict[str, Any]:
    """The header badge's context (``gridgov.menu`` header item). ``workbench``: the URL
    namespace of the page showing it (its list may be a page of its own: the phone app's)."""
    workbench = _namespace(request) if workbench is None else workbench
    return {
        "badge": inbox.badge(request.user),
        "badge_url": reverse("cases:notification-badge"),
        "workbench": workbench,
        "list_url": inbox.list_url(workbench),
        "poll_seconds": max(1, int(settings.GRIDGOV["NOTIFICATION_POLL_SECONDS"])),
    }


def _bad_request(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return HttpResponse(str(exc.message), status=400, content_type="text/plain; charset=utf-8")


class BadgeView(ScopedView):
    """The header badge, for htmx polling: cheap, private, never cached."""

    model = NotificationReceipt
    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx and not inbox.may_receive(request.user):
            return HttpResponse(status=STOP_POLLING)  # signed out, or no role any more
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            seen = inbox.parse_seen(request.GET.get("seen"))
        except DomainError as exc:
            return _bad_request(request, exc)
        badge = inbox.badge(request.user, since=seen[0] if seen else None)
        if seen is not None and badge.state == f"{seen[0]}-{seen[1]}":
            response = HttpResponse(status=204)
        else:
            # only registered workbenches map to a list page: the parameter is no redirect
            context = badge_context(request, request.GET.get("in", "")[:40]) | {"badge": badge}
            response = render(request, "cases/notify/_badge.html", context)
        add_never_cache_headers(response)
        return response


class NotificationListView(ScopedView):
    """The person's notifications, newest first, 30 a page (keyset: ``?before=<id>``)."""

    model = NotificationReceipt
    http_method_names = ["get"]
    template_name = "cases/notify/list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            before = inbox.parse_id(request.GET.get("before"), "before")
        except DomainError as exc:
            return _bad_request(request, exc)
        unread_only = request.GET.get("unread") == "1"
        page = inbox.page(request.user, before=before, unread_only=unread_only)
        badge = inbox.badge(request.user)
        response = render(
            request,
            self.template_name,
            {
                "page": page,
                "badge": badge,
                "unread_only": unread_only,
                "before": before,
                "here": request.get_full_path(),
            },
        )
        add_never_cache_headers(response)
        return response


class MarkReadView(ScopedView):
    """Mark one notification read (POST; htmx swaps the entry in place)."""

    model = NotificationReceipt
    scope_action = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            receipt = inbox.mark_read(request.user, pk)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        if request.htmx:
            entry = inbox.Entry(
                receipt, inbox.links_for(request.user, [receipt]).get(receipt.pk, "")
            )
            response = render(
                request,
                "cases/notify/_entry.html",
                {"entry": entry, "here": safe_next(request, "")},
            )
            return trigger_client_event(response, CHANGED_EVENT)
        return HttpResponseRedirect(safe_next(request, reverse("cases:notifications")))


class MarkAllReadView(ScopedView):
    """Mark every notification read, up to the newest the page showed (POST)."""

    model = NotificationReceipt
    scope_action = "change"
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            up_to = inbox.parse_id(request.POST.get("up_to"), "up_to")
        except DomainError as exc:
            return _bad_request(request, exc)
        inbox.mark_all_read(request.user, up_to=up_to)
        return HttpResponseRedirect(safe_next(request, reverse("cases:notifications")))


# --- warnings (R27.1) ------------------------------------------------------------------------

WARNING_PAGE_SIZE = 50


def _warning_page(request: HttpRequest, warnings: QuerySet[Warning], title: str) -> HttpResponse:
    try:
        before = inbox.parse_id(request.GET.get("before"), "before")
    except DomainError as exc:
        return _bad_request(request, exc)
    if before is not None:
        warnings = warnings.filter(pk__lt=before)
    rows = list(
        warnings.select_related("department__region", "issued_by").order_by("-id")[
            : WARNING_PAGE_SIZE + 1
        ]
    )
    more = len(rows) > WARNING_PAGE_SIZE
    rows = rows[:WARNING_PAGE_SIZE]
    return render(
        request,
        "cases/notify/warnings.html",
        {
            "title": title,
            "warnings": rows,
            "next_before": rows[-1].pk if more else None,
            "before": before,
        },
    )


class AgencyWarningsView(ScopedView):
    """Warnings issued to departments in the agency's jurisdiction."""

    model = Warning
    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not worklists.may_use_console(request.user):
            raise PermissionDenied(_("调度台仅供网格化机构人员使用"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        warnings = scoping.scope_queryset(
            request.user, Warning.objects.all(), roles=worklists.CONSOLE_ROLES
        )
        return _warning_page(request, warnings, _("警示"))


class DepartmentWarningsView(ScopedView):
    """Warnings issued to the department, for its head (R27.1)."""

    model = Warning
    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not may_see_department_warnings(request.user):
            raise PermissionDenied(_("部门警示仅供部门负责人查看"))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        warnings = scoping.scope_queryset(
            request.user, Warning.objects.all(), roles={R.Role.DEPT_HEAD}
        )
        return _warning_page(request, warnings, _("本部门警示"))


def may_see_department_warnings(user: Any) -> bool:
    return scoping.has_role(user, R.Role.DEPT_HEAD)
