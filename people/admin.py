"""The Django admin for people and organisations, in Chinese, scoped, saving through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridgov.access.admin import ScopedModelAdmin
from people import services
from people.auth import revoke_token
from people.models import (
    ApiToken,
    CommitteeMember,
    Department,
    DepartmentKind,
    Employment,
    EquipmentIssue,
    GridAgency,
    GridAssignment,
    GridWorker,
    RoleAssignment,
    Training,
    User,
    VillageCommittee,
)
from people.views_accounts import ThrottledAuthenticationForm


class AdminLoginForm(ThrottledAuthenticationForm):
    """The admin login counts failures towards the same lock as the web login (R22.1)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(_("此账号没有进入系统管理的角色。"), code="invalid_login")


admin.site.login_form = AdminLoginForm
# Permissions come from roles (gridgov.access.roles), not from Django groups: one mechanism.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(ScopedModelAdmin):
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name", "email")
    list_filter = ("is_active", "is_staff")
    fields = ("username", "full_name", "email", "is_active", "is_staff", "last_login",
              "date_joined")  # fmt: skip
    readonly_fields = fields
    actions = ["deactivate", "activate"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).filter(is_superuser=False)

    @admin.action(description=_("停用所选账号"))
    def deactivate(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for user in queryset:
            self.run_service(request, services.set_account_active, request.user, user, False)

    @admin.action(description=_("启用所选账号"))
    def activate(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for user in queryset:
            self.run_service(request, services.set_account_active, request.user, user, True)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedModelAdmin):
    list_display = ("user", "prefix", "label", "created_at", "expires_at", "last_used_at",
                    "revoked_at")  # fmt: skip
    readonly_fields = list_display
    fields = list_display
    actions = ["revoke"]

    @admin.action(description=_("撤销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            self.run_service(request, revoke_token, request.user, token)


@admin.register(GridAgency)
class GridAgencyAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "level", "region", "office_phone", "supervision_phone", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "region__code", "region__name")
    fields = ("region", "name", "address", "office_phone", "supervision_phone", "is_active")
    autocomplete_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("region",) if obj is not None else ()

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> GridAgency:
        region = data.pop("region")
        data.pop("is_active", None)
        return services.create_agency(request.user, region_code=region.code, **data)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_agency(request.user, obj, **changes)


@admin.register(DepartmentKind)
class DepartmentKindAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "code", "builtin", "sort_order", "is_active")
    fields = ("code", "name", "sort_order", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> DepartmentKind:
        return services.create_department_kind(
            request.user, code=data["code"], name=data["name"], sort_order=data["sort_order"]
        )

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_department_kind(request.user, obj, **changes)


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "kind", "level", "region", "office_phone", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("name", "region__code")
    fields = ("kind", "region", "name", "office_phone", "address", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("kind", "region") if obj is not None else ()

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> Department:
        data.pop("is_active", None)
        return services.create_department(
            request.user, kind=data.pop("kind"), region_code=data.pop("region").code, **data
        )

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_department(request.user, obj, **changes)


@admin.register(VillageCommittee)
class VillageCommitteeAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    list_display = ("name", "kind", "region", "office_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "region__code")
    fields = ("region", "name", "kind", "office_phone", "address", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("region",) if obj is not None else ()

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> VillageCommittee:
        data.pop("is_active", None)
        return services.create_committee(request.user, region_code=data.pop("region").code, **data)

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        return services.update_committee(request.user, obj, **changes)


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ScopedModelAdmin):
    allow_add = True
    list_display = ("name", "position", "committee", "is_party_member", "started_on", "ended_on")
    list_filter = ("position",)
    search_fields = ("name", "committee__name")
    fields = ("committee", "name", "position", "is_party_member", "work_phone", "started_on")
    actions = ["end_membership"]

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> CommitteeMember:
        return services.add_committee_member(request.user, data.pop("committee"), **data)

    @admin.action(description=_("登记所选成员离任"))
    def end_membership(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for member in queryset:
            self.run_service(request, services.end_committee_member, request.user, member)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedModelAdmin):
    allow_add = True
    list_display = ("user", "role", "region", "department", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "region__code")
    fields = ("user", "role", "region", "department", "note")
    actions = ["revoke"]

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> RoleAssignment:
        region = data.get("region")
        return services.grant_role(
            request.user,
            data["user"],
            data["role"],
            region_code=region.code if region is not None else None,
            department=data.get("department"),
            note=data.get("note", ""),
        )

    @admin.action(description=_("撤销所选角色"))
    def revoke(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for assignment in queryset:
            self.run_service(request, services.revoke_role, request.user, assignment)


class GridWorkerForm(forms.ModelForm):
    """Personal data is write-only here: leave blank to keep the stored value (R22.1)."""

    id_number = forms.CharField(
        label=_("身份证号"), required=False, help_text=_("留空则保持不变;已存值不显示")
    )
    personal_phone = forms.CharField(
        label=_("个人手机"), required=False, help_text=_("留空则保持不变;已存值不显示")
    )

    class Meta:
        model = GridWorker
        fields = ["name", "kind", "is_party_member", "gender", "village", "agency", "department",
                  "work_phone", "user", "note"]  # fmt: skip


class AssignmentInline(admin.TabularInline):
    model = GridAssignment
    fields = ("grid_code", "kind", "started_on", "ended_on", "end_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(GridWorker)
class GridWorkerAdmin(ScopedModelAdmin):
    allow_add = allow_change = True
    form = GridWorkerForm
    list_display = ("name", "kind", "status", "region_code", "work_phone", "id_number_masked",
                    "personal_phone_masked")  # fmt: skip
    list_filter = ("kind", "status", "is_party_member")
    search_fields = ("name", "region_code")
    readonly_fields = ("id_number_masked", "personal_phone_masked", "status", "region_code")
    inlines = [AssignmentInline]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["name", "kind", "is_party_member", "gender", "village", "agency", "department",
                  "work_phone", "id_number", "personal_phone", "user", "note"]  # fmt: skip
        if obj is not None:
            fields[fields.index("id_number")] = "id_number_masked"
            fields.insert(fields.index("id_number_masked") + 1, "id_number")
            fields.insert(fields.index("personal_phone"), "personal_phone_masked")
            fields += ["region_code", "status"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fixed = ("id_number_masked", "personal_phone_masked", "status", "region_code")
        return (*fixed, "kind") if obj is not None else fixed

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> GridWorker:
        village = data.pop("village", None)
        return services.create_worker(
            request.user, village_code=village.code if village else None, **data
        )

    def service_update(self, request: HttpRequest, obj: Any, changes: dict[str, Any]) -> Any:
        for name in ("id_number", "personal_phone"):
            if name in changes and not changes[name]:
                changes.pop(name)  # blank = keep
        if "village" in changes:
            changes["village"] = changes["village"].code if changes["village"] else None
        return services.update_worker(request.user, obj, **changes)


@admin.register(GridAssignment)
class GridAssignmentAdmin(ScopedModelAdmin):
    allow_add = True
    list_display = ("worker", "grid_code", "kind", "started_on", "ended_on", "end_reason")
    list_filter = ("kind",)
    search_fields = ("grid_code", "worker__name")
    fields = ("worker", "grid_code", "started_on")
    actions = ["end"]

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> GridAssignment:
        return services.assign_worker(
            request.user, data["worker"], data["grid_code"], started_on=data.get("started_on")
        )

    @admin.action(description=_("结束所选分配"))
    def end(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for assignment in queryset.filter(ended_on__isnull=True):
            self.run_service(
                request,
                services.end_assignment,
                request.user,
                assignment,
                reason=str(_("经系统管理结束")),
            )


@admin.register(Employment)
class EmploymentAdmin(ScopedModelAdmin):
    list_display = ("worker", "method", "started_on", "ended_on", "exit_reason")
    list_filter = ("method", "exit_reason")
    search_fields = ("worker__name",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Training)
class TrainingAdmin(ScopedModelAdmin):
    allow_add = True
    list_display = ("worker", "course", "held_on", "hours", "organiser")
    search_fields = ("worker__name", "course")
    fields = ("worker", "course", "organiser", "held_on", "hours", "certificate")

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> Training:
        worker = data.pop("worker")
        (record,) = services.record_training(request.user, [worker], **data)
        return record


@admin.register(EquipmentIssue)
class EquipmentIssueAdmin(ScopedModelAdmin):
    allow_add = True
    list_display = ("worker", "item", "serial", "issued_on", "returned_on")
    list_filter = ("item",)
    search_fields = ("worker__name", "serial")
    fields = ("worker", "item", "serial", "description", "issued_on")
    actions = ["mark_returned"]

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> EquipmentIssue:
        return services.issue_equipment(request.user, data.pop("worker"), **data)

    @admin.action(description=_("登记所选物品已归还"))
    def mark_returned(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for issue in queryset.filter(returned_on__isnull=True):
            self.run_service(request, services.return_equipment, request.user, issue)
