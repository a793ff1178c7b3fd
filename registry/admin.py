"""The Django admin of the registry (R11.1, R22.1): scoped (gridgov.access.admin), saving
through the registry's services (validated, audited), personal numbers shown masked and
never editable in clear (the ciphertext and digest columns are not in any form; a number is
corrected through the console's or the API's update, which protects it again)."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from gridgov.access.admin import ScopedModelAdmin
from registry import inputs, services
from registry.models import (
    House,
    Household,
    Organisation,
    Place,
    ResidenceSpell,
    Resident,
    SpecialGroupTag,
    StandardAddress,
    Thing,
)


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
