"""The audit trail and the personal-data access log for auditors (R28.1, R22.1): filters,
details, exports. Read-only: nothing here changes a record."""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from audit import exporting, personal_data
from audit import services as audit
from audit.actions import AuditAction, AuditTrailAction
from audit.filters import AuditRecordFilter, PersonalDataAccessFilter
from audit.models import AuditRecord, PersonalDataAccess
from gridgov.access import scoping
from gridgov.access.web import ScopedDetailView, ScopedListView, ScopedView


def _filtered(filterset: Any) -> QuerySet:
    """The filtered rows; none when a filter value is malformed (the form says which)."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


class _FilteredList(ScopedListView):
    filterset_class: Any = None
    export_view = ""  # the URL name of the list's export

    def get_queryset(self) -> QuerySet:
        self.filterset = self.filterset_class(self.request.GET or None, super().get_queryset())
        return _filtered(self.filterset)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            query=self.query_without_page(),
            heading=self.model._meta.verbose_name_plural,
            export_view=self.export_view,
        )
        return context


class AuditRecordListView(_FilteredList):
    model = AuditRecord
    filterset_class = AuditRecordFilter
    template_name = "audit/record_list.html"
    export_view = "audit:export"
    context_object_name = "records"


class AuditRecordDetailView(ScopedDetailView):
    model = AuditRecord
    template_name = "audit/record_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        record = self.object
        before = record.before if isinstance(record.before, dict) else {}
        after = record.after if isinstance(record.after, dict) else {}
        changes = [
            {
                "field": key,
                "before": _show(before.get(key)),
                "after": _show(after.get(key)),
                "changed": before.get(key) != after.get(key),
            }
            for key in sorted(set(before) | set(after))
        ]
        context.update(
            changes=changes,
            before_json=_show(record.before) if not isinstance(record.before, dict) else "",
            after_json=_show(record.after) if not isinstance(record.after, dict) else "",
            same_request=AuditRecord.objects.none()
            if not record.request_id
            else scoping.scope_queryset(
                self.request.user,
                AuditRecord.objects.filter(request_id=record.request_id).exclude(pk=record.pk),
            )[:50],
        )
        return context


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


AUDIT_COLUMNS = exporting.field_columns(
    AuditRecord,
    "at actor role action object_type object_id object_repr region_code before after note"
    " request_id client_ip channel",
    actor=attrgetter("actor_name"),
    before=lambda r: _show(r.before),
    after=lambda r: _show(r.after),
)

ACCESS_COLUMNS = exporting.field_columns(
    PersonalDataAccess,
    "at actor role subject_type subject_id subject_repr field reason granted region_code"
    " request_id client_ip channel",
    actor=attrgetter("actor_name"),
    granted=lambda r: _("是") if r.granted else _("否(被拒绝)"),
)


class _Export(ScopedView):
    filterset_class: Any = None
    columns: list[exporting.Column] = []
    filename = ""
    action: AuditAction

    def get(self, request: HttpRequest) -> HttpResponse:
        fmt = request.GET.get("format", "csv")
        if fmt not in exporting.FORMATS:
            fmt = "csv"
        filterset = self.filterset_class(request.GET or None, self.get_queryset())
        rows = _filtered(filterset)
        codes = scoping.jurisdictions(request.user)
        # Exporting the trail is itself on the trail.
        with transaction.atomic():
            audit.record(
                request.user,
                self.action,
                object_type=self.scoped_model()._meta.label_lower,
                object_repr=str(self.scoped_model()._meta.verbose_name_plural),
                note=personal_data.mask_query_string(request.GET.urlencode())[:1000],
                region_code=codes[0] if len(codes) == 1 else "",
                role="auditor",
            )
        return exporting.export(
            rows[: exporting.EXPORT_LIMIT].iterator(chunk_size=2000),
            self.columns,
            filename=self.filename,
            fmt=fmt,
        )


class AuditRecordExportView(_Export):
    model = AuditRecord
    filterset_class = AuditRecordFilter
    columns = AUDIT_COLUMNS
    filename = "audit-trail"
    action = AuditTrailAction.EXPORT_TRAIL


class PersonalDataAccessListView(_FilteredList):
    model = PersonalDataAccess
    filterset_class = PersonalDataAccessFilter
    template_name = "audit/access_list.html"
    export_view = "audit:access-log-export"
    context_object_name = "accesses"


class PersonalDataAccessExportView(_Export):
    model = PersonalDataAccess
    filterset_class = PersonalDataAccessFilter
    columns = ACCESS_COLUMNS
    filename = "personal-data-access"
    action = AuditTrailAction.EXPORT_ACCESS_LOG
