from django.contrib import admin

from audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "role", "action", "object_repr", "region_code", "channel")
    list_filter = ("action", "object_type", "channel")
    search_fields = ("actor_name", "object_repr", "object_id", "request_id", "region_code")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
