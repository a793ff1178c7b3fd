"""The Django admin for the catalogue, lists and change requests: in Chinese, scoped, every
change through :mod:`matters.services` (R9.1–R9.3, R22.1, R28.1).

The catalogue is edited here by the city agency. Lists, versions, entries and change requests
are shown read-only with the workflow steps as admin actions; compiling a draft entry by entry
and reviewing a request with reasons happen on the staff pages (/matters/) or the API.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridgov.access import scoping
from gridgov.access.admin import ScopedModelAdmin
from gridgov.parsing import parse_id
from matters import services
from matters.models import (
    AdmissionEntry,
    AdmissionList,
    AdmissionListVersion,
    ChangeRequest,
    MatterCategory,
    MatterItem,
)
from matters.services.catalogue import ITEM_EDITABLE_FIELDS
from regions.models import Level


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- catalogue ------------------------------------------------------------------------------


class ItemInline(ReadOnlyInline):
    model = MatterItem
    fields = ("code", "name", "settle_on_spot_allowed", "is_active")
    readonly_fields = fields


@admin.register(MatterCategory)
class MatterCategoryAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("code", "name", "city", "sort_order", "item_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    fields = ("city", "code", "name", "description", "sort_order", "is_active")
    inlines = [ItemInline]

    @admin.display(description=_("事项数"))
    def item_count(self, obj: MatterCategory) -> int:
        return obj.items.count()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("city", "code") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "city":
            field.queryset = field.queryset.filter(level=Level.CITY)
        return field

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> MatterCategory:
        data.pop("is_active", None)
        return services.create_category(request.user, city_code=data.pop("city").code, **data)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_category(request.user, obj, **changes)


class CategoryFilter(admin.SimpleListFilter):
    """Categories the user may see (Django's own related filter would list every city's)."""

    title = _("分类")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        visible = scoping.scope_queryset(request.user, MatterCategory.objects.all())
        return [(str(c.pk), str(c)) for c in visible.order_by("city__code", "sort_order")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        pk = parse_id(value)
        if pk is None:
            # the admin's own "invalid filter" answer (?e=1), not every category
            raise IncorrectLookupParameters(value)
        return queryset.filter(category_id=pk)


@admin.register(MatterItem)
class MatterItemAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("code", "name", "category", "settle_on_spot_allowed", "is_active")
    list_filter = (CategoryFilter, "settle_on_spot_allowed", "is_active")
    list_select_related = ("category",)
    search_fields = ("code", "name", "keywords", "description")
    fields = tuple(ITEM_EDITABLE_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> MatterItem:
        data.pop("is_active", None)
        return services.create_item(request.user, **data)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_item(request.user, obj, **changes)


# --- lists ----------------------------------------------------------------------------------


class VersionInline(ReadOnlyInline):
    model = AdmissionListVersion
    fields = ("number", "status", "published_at", "filed_at", "acknowledged_at", "note")
    readonly_fields = fields
    ordering = ("-number",)


@admin.register(AdmissionList)
class AdmissionListAdmin(ScopedModelAdmin):
    list_display = ("county", "in_force", "workbench")
    search_fields = ("county__name", "county__code")
    fields = ("county", "created_at", "workbench")
    readonly_fields = fields
    inlines = [VersionInline]

    @admin.display(description=_("现行版本"))
    def in_force(self, obj: AdmissionList) -> str:
        version = obj.version_in_force()
        return str(version) if version else "—"

    @admin.display(description=_("工作台"))
    def workbench(self, obj: AdmissionList) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("matters:list", args=[obj.pk]), _("编制、发布与报备")
        )


class EntryInline(ReadOnlyInline):
    model = AdmissionEntry
    fields = ("item", "lead_department", *services.LIMIT_TERMS)
    readonly_fields = fields


@admin.register(AdmissionListVersion)
class AdmissionListVersionAdmin(ScopedModelAdmin):
    list_display = (
        "admission_list",
        "number",
        "status",
        "published_at",
        "filed_at",
        "acknowledged_at",
    )
    list_filter = ("status",)
    search_fields = ("admission_list__county__name", "admission_list__county__code", "note")
    fields = (
        "admission_list",
        "number",
        "status",
        "based_on",
        "note",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
        "filed_at",
        "filed_by",
        "acknowledged_at",
        "acknowledged_by",
        "acknowledgement_note",
    )
    readonly_fields = fields
    inlines = [EntryInline]
    actions = ["publish", "file", "acknowledge"]

    def _each(self, request: HttpRequest, queryset: QuerySet, func: Any, done: str) -> None:
        count = 0
        for version in queryset:
            if self.run_service(request, func, request.user, version):
                count += 1
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("发布所选草稿"))
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.publish_version, _("已发布 %(n)d 个版本"))

    @admin.action(description=_("将所选版本报市网格化机构备案"))
    def file(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.file_version, _("已报备 %(n)d 个版本"))

    @admin.action(description=_("确认所选版本备案(市级)"))
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(request, queryset, services.acknowledge_version, _("已确认 %(n)d 个版本"))


@admin.register(AdmissionEntry)
class AdmissionEntryAdmin(ScopedModelAdmin):
    list_display = (
        "item",
        "version",
        "lead_department",
        "dispatch_limit",
        "handling_limit",
        "amber_threshold_percent",
    )
    list_filter = ("version__status", "dispatch_limit_unit", "handling_limit_unit")
    search_fields = ("item__code", "item__name", "version__admission_list__county__name")
    list_select_related = ("item", "version__admission_list__county", "lead_department")
    fields = (
        "version",
        "item",
        "lead_department",
        "co_departments",
        *services.LIMIT_TERMS,
        "notes",
    )
    readonly_fields = fields

    @admin.display(description=_("派遣时限"))
    def dispatch_limit(self, obj: AdmissionEntry) -> str:
        return obj.dispatch_limit_display()

    @admin.display(description=_("办理时限"))
    def handling_limit(self, obj: AdmissionEntry) -> str:
        return obj.handling_limit_display()


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ScopedModelAdmin):
    list_display = (
        "pk",
        "admission_list",
        "kind",
        "item",
        "requester",
        "requested_at",
        "status",
        "review",
    )
    list_filter = ("status", "kind")
    search_fields = ("item__code", "item__name", "reason", "admission_list__county__name")
    list_select_related = (
        "admission_list__county",
        "item",
        "requesting_department",
        "requesting_agency",
    )
    fields = (
        "admission_list",
        "kind",
        "item",
        "reason",
        "lead_department",
        "co_departments",
        *services.LIMIT_TERMS,
        "notes",
        "requesting_department",
        "requesting_agency",
        "requested_by",
        "requested_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_reason",
        "applied_to",
        "review",
    )
    readonly_fields = fields
    actions = ["approve"]

    @admin.display(description=_("申请单位"))
    def requester(self, obj: ChangeRequest) -> str:
        return obj.requester_name

    @admin.display(description=_("审核"))
    def review(self, obj: ChangeRequest) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("matters:change-request", args=[obj.pk]),
            _("审核(写明意见)"),
        )

    @admin.action(description=_("批准所选申请(编入草稿;驳回须在审核页写明理由)"))
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for change in queryset:
            if self.run_service(request, services.approve_change_request, request.user, change):
                count += 1
        if count:
            self.message_user(request, _("已批准 %(n)d 项申请") % {"n": count}, messages.SUCCESS)
