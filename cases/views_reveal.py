"""Revealing a case's personal data on the case page (R22.1): the reporter's phone and the
involved persons' numbers, for the roles that may reveal (the service checks and logs).

With JavaScript (people/static/people/reveal.js) the value replaces the masked one in place;
without, the form posts and the page comes back with the value shown once.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cases import reveal
from cases.models import Case
from cases.personal_cells import Cell, dom_id
from cases.views_case import CaseDetailView, case_queryset
from gridgov.errors import DomainError


class CaseRevealView(CaseDetailView):
    """POST field (+ person) + reason → the value in place (htmx) or the page with it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = get_object_or_404(case_queryset(self.get_queryset()), pk=pk)
        field = request.POST.get("field", "")
        person = request.POST.get("person") or None
        key = dom_id(field, person)
        try:
            value = reveal.reveal(
                request.user, case, field, person=person, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            if exc.http_status == 404:
                raise Http404(exc.message) from exc
            if getattr(request, "htmx", False):
                cell = Cell(key, field, _masked(case, field, person), error=exc.message)
                return render(
                    request, "cases/_reveal_cell.html", {"cell": cell}, status=exc.http_status
                )
            return self.render_case(
                request, case, reveal_failed=key, reveal_error=exc.message, status=exc.http_status
            )
        if getattr(request, "htmx", False):
            cell = Cell(key, field, "", value=value)
            return render(request, "cases/_reveal_cell.html", {"cell": cell})
        return self.render_case(request, case, revealed={key: value})


def _masked(case: Case, field: str, person: Any) -> str:
    if field in reveal.REPORTER_FIELDS:
        return case.reporter_phone_masked
    if field not in reveal.PERSON_FIELDS:
        return ""
    for p in case.involved_persons.all():
        if str(p.pk) == str(person):
            return getattr(p, f"{field}_shown", "")
    return ""
