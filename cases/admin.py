"""The log of messages sent outside the platform (SMS), for administrators: scoped to their
jurisdiction, read-only (R18.1, R22.1, R28.1). Numbers show masked only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases.notify.models import Delivery
from gridgov.access.admin import ScopedModelAdmin


@admin.register(Delivery)
class DeliveryAdmin(ScopedModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient_masked",
        "status",
        "attempts",
        "sent_at",
        "message",
        "last_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("key", "recipient_masked", "provider_ref", "region_code")
    date_hierarchy = "created_at"
    list_select_related = ("case",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}
