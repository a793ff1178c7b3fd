"""The audit trail in the Django admin: auditors only, scoped, read-only (R28.1, R22.1)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit import actions
from audit.models import AuditRecord, PersonalDataAccess
from gridgov.access.admin import ScopedModelAdmin


class _ReadOnly(ScopedModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


@admin.register(AuditRecord)
class AuditRecordAdmin(_ReadOnly):
    list_display = (
        "at",
        "actor_name",
        "role",
        "action_label",
        "object_repr",
        "region_code",
        "channel",
    )
    list_filter = ("action", "object_type", "channel")
    search_fields = ("actor_name", "object_repr", "object_id", "request_id", "region_code")
    date_hierarchy = "at"

    @admin.display(description=_("操作"), ordering="action")
    def action_label(self, record: AuditRecord) -> str:
        return actions.label(record.action)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(_ReadOnly):
    list_display = ("at", "actor_name", "role", "subject_repr", "field", "granted", "reason")
    list_filter = ("field", "granted", "subject_type")
    search_fields = ("actor_name", "subject_repr", "subject_id", "request_id")
    date_hierarchy = "at"
