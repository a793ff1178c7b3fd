"""The Django admin of the registry (R11.1, R22.1): scoped (gridgov.access.admin), saving
through the registry's services (validated, audited), personal numbers shown masked and
never editable in clear (the ciphertext and digest columns are not in any form; a number is
corrected through the console's or the API's update, which protects it again).

Proposals (采集待审) are read-only here: their fields before and after, masked as on the
review page (``registry.proposal_display``), never the stored payload; the actions "确认" and
"退回" (its reason typed beside the action) call ``registry.services.proposals`` one proposal at
a time, each refusal shown as a message."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.access import scoping
from gridgov.access.admin import ScopedModelAdmin
from gridgov.errors import DomainError
from registry import inputs, proposal_display, services
from registry.models import (
    REVIEWER_ROLES,
    House,
    Household,
    Organisation,
    Place,
    Proposal,
    ResidenceSpell,
    Resident,
    SpecialGroupTag,
    StandardAddress,
    Thing,
)
from registry.services import proposals


def _value(cls: type, changes: dict[str, Any]) -> Any:
    """The update value object ``cls`` of the admin's changed fields it carries."""
    names = {f.name for f in dataclass_fields(cls)}
    return cls(**{name: value for name, value in changes.items() if name in names})


class RegistryAdmin(ScopedModelAdmin):
    """Read-only unless a subclass names its editable fields and its update service."""

    editable: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        shown = self.get_fields(request, obj)
        return [name for name in shown if name not in self.editable]


@admin.register(StandardAddress)
class StandardAddressAdmin(RegistryAdmin):
    list_display = ("code", "full_text", "level", "grid_code", "retired_at")
    search_fields = ("code", "full_text")
    list_filter = ("level",)
    fields = ("code", "level", "parent", "full_text", "region_code", "grid_code", "lng", "lat",
              "retired_at", "successor", "retire_reason")  # fmt: skip


@admin.register(House)
class HouseAdmin(RegistryAdmin):
    list_display = ("address", "use", "rental_status", "owner_name")
    list_filter = ("use", "rental_status")
    search_fields = ("address__full_text", "owner_name")
    fields = ("address", "use", "owner", "owner_name", "rental_status", "area_m2", "note")
    editable = ("use", "owner_name", "rental_status", "area_m2", "note")
    allow_change = True

    def service_update(self, request: HttpRequest, obj: Any, changes: dict) -> models.Model:
        return services.update_house(request.user, obj, _value(inputs.HouseChanges, changes))


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ("number", "head", "address", "region_code")
    search_fields = ("number",)
    fields = ("number", "head", "address", "region_code", "grid_code")


@admin.register(Resident)
class ResidentAdmin(RegistryAdmin):
    list_display = ("name", "kind", "id_number_masked", "phone_masked", "grid_code", "status")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    fields = ("name", "kind", "gender", "birth_date", "id_type", "id_number_masked",
              "phone_masked", "household", "relation", "house", "house_relation",
              "living_since", "status", "status_on", "region_code", "grid_code", "merged_into",
              "note")  # fmt: skip
    editable = ("name", "kind", "note")
    allow_change = True

    def service_update(self, request: HttpRequest, obj: Any, changes: dict) -> models.Model:
        return services.update_resident(request.user, obj, _value(inputs.ResidentChanges, changes))


@admin.register(ResidenceSpell)
class ResidenceSpellAdmin(RegistryAdmin):
    list_display = ("resident", "house", "house_relation", "started_on", "ended_on")
    fields = list_display


@admin.register(SpecialGroupTag)
class SpecialGroupTagAdmin(RegistryAdmin):
    list_display = ("resident", "kind", "started_on", "ended_on", "next_visit_on", "grid_code")
    list_filter = ("kind", "care_level")
    fields = ("resident", "kind", "started_on", "ended_on", "end_reason", "department_kind",
              "care_level", "visit_days", "last_visited_on", "next_visit_on", "grid_code",
              "note")  # fmt: skip


@admin.register(Organisation)
class OrganisationAdmin(RegistryAdmin):
    list_display = ("name", "kind", "credit_code", "contact_phone_masked", "status", "grid_code")
    list_filter = ("kind", "status")
    search_fields = ("name", "credit_code")
    fields = ("name", "kind", "credit_code", "address", "contact_name", "contact_phone_masked",
              "status", "region_code", "grid_code", "note")  # fmt: skip
    editable = ("name", "kind", "credit_code", "contact_name", "status", "note")
    allow_change = True

    def service_update(self, request: HttpRequest, obj: Any, changes: dict) -> models.Model:
        return services.update_organisation(
            request.user, obj, _value(inputs.OrganisationChanges, changes)
        )


@admin.register(Place)
class PlaceAdmin(RegistryAdmin):
    list_display = ("name", "kind", "risk_level", "last_inspected_on", "grid_code")
    list_filter = ("kind", "risk_level", "is_active")
    search_fields = ("name",)
    fields = ("name", "kind", "address", "organisation", "risk_level", "inspection_days",
              "last_inspected_on", "is_active", "region_code", "grid_code", "note")  # fmt: skip
    editable = ("name", "risk_level", "inspection_days", "last_inspected_on", "is_active", "note")
    allow_change = True

    def service_update(self, request: HttpRequest, obj: Any, changes: dict) -> models.Model:
        return services.update_place(request.user, obj, _value(inputs.PlaceChanges, changes))


@admin.register(Thing)
class ThingAdmin(RegistryAdmin):
    list_display = ("__str__", "kind", "code", "state", "grid_code")
    list_filter = ("kind", "state")
    search_fields = ("name", "code")
    fields = ("kind", "code", "name", "state", "owner_department", "lng", "lat", "region_code",
              "grid_code", "note")  # fmt: skip
    editable = ("state", "name", "owner_department", "note")
    allow_change = True

    def service_update(self, request: HttpRequest, obj: Any, changes: dict) -> models.Model:
        return services.update_thing(request.user, obj, _value(inputs.ThingChanges, changes))


class ProposalActionForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("退回理由"), required=False, max_length=2000,
        help_text=gettext_lazy("退回时必填,采集人在手机上可见"),
    )  # fmt: skip


@admin.register(Proposal)
class ProposalAdmin(RegistryAdmin):
    """Proposals of grid workers, read-only; confirmed or sent back through the services."""

    list_display = ("__str__", "status", "kind", "grid_code", "proposer", "created_at", "auto")
    list_filter = ("status", "kind", "auto")
    search_fields = ("summary", "grid_code")
    list_select_related = ("proposer", "reviewer")
    date_hierarchy = "created_at"
    fields = ("kind", "status", "summary", "changes", "photo_link", "note", "subject_id",
              "proposer", "created_at", "device_time", "lng", "lat", "accuracy_m", "auto",
              "reviewer", "reviewed_at", "reason", "result_id", "region_code",
              "grid_code")  # fmt: skip
    action_form = ProposalActionForm
    actions = ["confirm", "reject"]

    @admin.display(description=gettext_lazy("修改内容(原值 → 新值)"))
    def changes(self, proposal: Proposal) -> str:
        rows = proposal_display.rows(proposal)
        if not rows:
            return "-"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            _("项目"),
            _("原值"),
            _("新值"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((r.label, r.before or "-", r.after or "-") for r in rows),
            ),
        )  # fmt: skip

    @admin.display(description=gettext_lazy("照片"))
    def photo_link(self, proposal: Proposal) -> str:
        if not proposal.photo:
            return "-"
        url = reverse("registry:proposal-photo", args=[proposal.pk])
        return format_html('<a href="{}">{}</a>', url, _("查看照片"))

    def has_review_permission(self, request: HttpRequest) -> bool:
        """The actions are offered to the reviewing roles; each proposal is checked again by
        the service over its own place."""
        return scoping.has_role(request.user, REVIEWER_ROLES)

    def _each(self, request: HttpRequest, queryset: QuerySet, func: Any, done: str) -> None:
        count, refusals = 0, set()
        for proposal in queryset.order_by("pk"):
            try:
                func(proposal)
            except DomainError as exc:
                refusals.add(f"{proposal.pk}: {exc.message}")
                continue
            count += 1
        for refusal in sorted(refusals):
            self.message_user(request, refusal, messages.ERROR)
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("确认所选采集信息"), permissions=["review"])
    def confirm(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._each(
            request, queryset, lambda p: proposals.confirm(request.user, p),
            _("已确认 %(n)d 条采集信息"),
        )  # fmt: skip

    @admin.action(description=gettext_lazy("退回所选采集信息(需填写理由)"), permissions=["review"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "")
        if not reason.strip():
            self.message_user(request, _("退回须填写理由"), messages.ERROR)
            return
        self._each(
            request, queryset, lambda p: proposals.reject(request.user, p, reason),
            _("已退回 %(n)d 条采集信息"),
        )  # fmt: skip
