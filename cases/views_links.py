"""Linking and unlinking registry records on the case page (R11.1, R22.1, ADR 0010): one
form, parsed as the API's ``links`` action parses it, one service call (:mod:`cases.linking`),
back to the page; a refusal is said at the top of the page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cases import actions_io, linking
from cases.views_case import CaseActionView, case_queryset
from gridgov.access.web import safe_next
from gridgov.errors import DomainError


class CaseLinkView(CaseActionView):
    """POST op (link/unlink), kind, record (+ role, note) → the linking service."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        cases = case_queryset(self.get_queryset())
        case = get_object_or_404(cases, pk=pk)
        client_id = (request.POST.get("client_id") or "")[:64]
        try:
            op, value = actions_io.link_step_from_form(request.POST, client_id=client_id)
            linking.OPS[op](request.user, case.pk, value)
        except DomainError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from exc
            return self.render_case(
                request, cases.get(pk=case.pk), error=exc, status=exc.http_status
            )
        if op == "link":
            done = _("%(code)s:已关联登记信息") % {"code": case.tracking_code}
        else:
            done = _("%(code)s:已取消关联") % {"code": case.tracking_code}
        messages.success(request, done)
        return HttpResponseRedirect(safe_next(request, self.case_url(case)))
