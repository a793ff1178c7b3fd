"""The registry's lists and their exports (R11.1, R22.1): residents, houses, organisations,
places, things, special groups by kind, due visits and places due for inspection.

Each list is a :class:`registry.lists.ListSpec`; the page shows it in keyset pages with a
capped count (``registry.paging``), the export streams the same rows (CSV) or writes them
(xlsx, write-only), always masked, and files an audit record with the query and the row
count, as the worker export does. A full ID or phone number in the search box is an exact
search through ``people.exact_search``: only for roles that may reveal, logged as a reveal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from audit import exporting
from audit import personal_data as pd
from audit import services as audit
from gridgov.access import scoping
from gridgov.access.web import ScopedView
from gridgov.errors import Forbidden, RateLimited
from people.exact_search import exact_search, may_search
from people.models import GridWorker
from registry import filters, paging
from registry.actions import RegistryAction
from registry.lists import SPECS, ListSpec
from registry.models import Resident, SpecialGroupTag
from registry.stats import visible_kinds
from registry.views_areas import area_filter

WORKER_CHOICES = 300


def filtered(user: Any, spec: ListSpec, f: filters.Filters) -> QuerySet:
    """The scoped rows of ``spec`` under the filters; a full personal number narrows the
    residents (or tags) to that person through the logged exact search (Forbidden,
    RateLimited)."""
    queryset = spec.base(scoping.scope_queryset(user, spec.model.objects.all()))
    queryset = spec.narrow(queryset, f, user)
    if f.q and f.is_number_search and spec.model in (Resident, SpecialGroupTag):
        residents = scoping.scope_queryset(user, Resident.objects.all())
        found = exact_search(user, residents, f.q.replace(" ", "").replace("-", ""))
        if spec.model is Resident:
            queryset = queryset.filter(pk__in=found.values("pk"))
        else:
            queryset = queryset.filter(resident__in=found.values("pk"))
    return queryset


class RegistryListView(ScopedView):
    """One registry list (``spec``), filtered, in keyset pages, masked."""

    spec: ListSpec
    template_name = "registry/list.html"

    @classmethod
    def of(cls, key: str) -> Any:
        spec = SPECS[key]
        name = f"{key.title().replace('-', '')}ListView"
        return type(name, (cls,), {"model": spec.model, "spec": spec}).as_view()

    def get(self, request: HttpRequest) -> HttpResponse:
        spec = self.spec
        f = filters.parse(request.GET)
        area = area_filter(request.user, request.GET, f)
        status, retry_after = 200, None
        try:
            queryset = filtered(request.user, spec, f)
        except (Forbidden, RateLimited) as refused:
            messages.error(request, refused.message)
            queryset = spec.model.objects.none()
            status = refused.http_status
            retry_after = getattr(refused, "retry_after", None)
        if area.refused and "area" in spec.filters:
            queryset, status = spec.model.objects.none(), 400
        result = paging.page(queryset, request.GET.get("after", ""), order=spec.order)
        params = request.GET.copy()
        params.pop("after", None)
        query = params.urlencode()
        kinds = spec.kinds
        if spec.model is SpecialGroupTag:
            seen = set(visible_kinds(request.user))
            kinds = [(v, label) for v, label in kinds if v in seen]
        context = {
            "spec": spec,
            "page": result,
            "rows": result.rows,
            "filters": f,
            "query": query,
            "kinds": kinds,
            "area": area,
            "may_search_numbers": may_search(request.user),
            "workers": self._workers() if "worker" in spec.filters else [],
            "export_url": reverse(f"registry:{spec.key}-export"),
            **spec.extra,
        }
        response = render(request, "registry/list.html", context, status=status)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    def _workers(self) -> QuerySet:
        return scoping.scope_queryset(self.request.user, GridWorker.objects.all()).order_by(
            "name", "pk"
        )[:WORKER_CHOICES]


def log_export(request: HttpRequest, spec: ListSpec, rows: int) -> None:
    """The audit record of one export: what was exported, with which filters, how many rows."""
    codes = scoping.jurisdictions(request.user)
    query = pd.mask_query_string(request.GET.urlencode())
    with transaction.atomic():
        audit.record(
            request.user,
            RegistryAction.EXPORT,
            object_type=spec.model._meta.label_lower,
            object_repr=str(spec.title),
            note=f"{spec.key} rows={rows} {query}"[:1000],
            region_code=codes[0] if len(codes) == 1 else "",
        )


class RegistryExportView(ScopedView):
    """The filtered list as CSV (streamed) or xlsx; personal data always masked (R22.1)."""

    spec: ListSpec

    @classmethod
    def of(cls, key: str) -> Any:
        spec = SPECS[key]
        name = f"{key.title().replace('-', '')}ExportView"
        return type(name, (cls,), {"model": spec.model, "spec": spec}).as_view()

    def get(self, request: HttpRequest) -> HttpResponse:
        spec = self.spec
        fmt = request.GET.get("format", "csv")
        if fmt not in exporting.FORMATS:
            fmt = "csv"
        f = filters.parse(request.GET)
        if f.area and area_filter(request.user, request.GET, f).refused:
            # nothing is exported under a refused area: the list page says why
            params = request.GET.copy()
            params.pop("format", None)
            return redirect(f"{reverse(f'registry:{spec.key}')}?{params.urlencode()}")
        try:
            queryset = filtered(request.user, spec, f)
        except (Forbidden, RateLimited) as refused:
            messages.error(request, refused.message)
            params = request.GET.copy()
            params.pop("format", None)
            params.pop("q", None)
            return redirect(f"{reverse(f'registry:{spec.key}')}?{params.urlencode()}")
        limited = queryset.order_by(*spec.order)[: exporting.EXPORT_LIMIT]
        rows = limited.count()
        log_export(request, spec, rows)
        return exporting.export(
            limited.iterator(chunk_size=2000),
            spec.columns,
            filename=f"registry-{spec.key}",
            fmt=fmt,
        )
