"""The console pages of registry imports (R11.1, R22.1): the list of the jurisdiction's
imports with the upload form, one import's progress (polled with htmx while it runs), its
problems report as CSV, and the template of each kind's columns.

The upload is parsed by the API's input serializer (``registry.api.imports.ImportInput``) and
handed to one service (``registry.services.imports.start_import``); the import itself runs as
a background task.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from gridgov.access.web import ScopedListView, ScopedView
from gridgov.errors import DomainError
from registry.api.imports import ImportInput
from registry.importing.columns import template_rows
from registry.models import ImportKind, RegistryImport
from registry.services.imports import MAX_PROBLEMS, live_progress, start_import

LIST_TEMPLATE = "registry/imports/list.html"


class ImportListView(ScopedListView):
    """GET: the imports of my jurisdiction and the upload form; POST: upload one."""

    model = RegistryImport
    template_name = LIST_TEMPLATE
    context_object_name = "imports"
    paginate_by = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("kinds", ImportKind.choices)
        context.setdefault("values", {})
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        data = {**request.POST.dict(), **request.FILES.dict()}
        serializer = ImportInput(data=data)
        errors: list[str] = []
        if serializer.is_valid():
            try:
                job = start_import(request.user, serializer.value())
            except DomainError as exc:
                errors = [exc.message]
            else:
                return redirect("registry:import", pk=job.pk)
        else:
            errors = [f"{name}: {' '.join(str(m) for m in messages)}"
                      for name, messages in serializer.errors.items()]  # fmt: skip
        self.object_list = self.get_queryset()
        context = self.get_context_data(errors=errors, values=request.POST.dict())
        return render(request, LIST_TEMPLATE, context, status=400)


def _problem_rows(job: RegistryImport) -> list[list[str]]:
    if not job.problems_csv:
        return []
    rows = list(csv.reader(io.StringIO(job.problems_csv.lstrip("\ufeff"))))
    return rows[1 : MAX_PROBLEMS + 1]


class ImportDetailView(ScopedView):
    """One import: status, counts and problems; the htmx poll gets the progress part only."""

    model = RegistryImport

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(self.get_queryset(), pk=pk)
        context = {"job": job, "progress": live_progress(job), "problems": _problem_rows(job)}
        if request.headers.get("HX-Request"):
            return render(request, "registry/imports/_progress.html", context)
        return render(request, "registry/imports/detail.html", context)


class ImportProblemsView(ScopedView):
    """The problems report (file, row, column, reason) as CSV."""

    model = RegistryImport

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(self.get_queryset(), pk=pk)
        response = HttpResponse(job.problems_csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
        return response


class ImportTemplateView(ScopedView):
    """The column template of a kind: the Chinese header and a row explaining each column."""

    model = RegistryImport

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in ImportKind.values:
            raise Http404(_("未知的导入类别"))
        out = io.StringIO()
        csv.writer(out).writerows(template_rows(kind))
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="registry-{kind}-template.csv"'
        return response
