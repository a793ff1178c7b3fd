"""The Django admin side of the one scoping mechanism (R22.1).

Every ModelAdmin of gridgov derives from :class:`ScopedModelAdmin`:

- the change list and every object page go through ``gridgov.access.scoping.scope_queryset``, so an
  object outside the user's jurisdiction is not listed and its URL is "not found";
- view/add/change permissions come from the roles the model's rule admits, not from Django's
  per-model permissions (one mechanism, not two); deleting is never offered;
- choices in foreign-key fields are scoped the same way (a region list shows only regions
  inside the user's jurisdiction);
- saving calls a service (``service_create`` / ``service_update``), so admin changes are
  validated and audited like any other; a refusal shows as an error message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from gridgov.access import scoping
from gridgov.errors import DomainError


class ScopedModelAdmin(admin.ModelAdmin):
    # Subclasses set these to allow adding/changing through the admin.
    allow_add = False
    allow_change = False

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return scoping.scope_queryset(request.user, super().get_queryset(request))

    def _holds(self, request: HttpRequest, action: str) -> bool:
        return request.user.is_active and scoping.can_view_any(request.user, self.model, action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._holds(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self._holds(request, "view"):
            return False
        return obj is None or scoping.in_scope(request.user, obj, "view")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.allow_add and self._holds(request, "change")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not (self.allow_change and self._holds(request, "change")):
            return False
        return obj is None or scoping.in_scope(request.user, obj, "change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        related = db_field.remote_field.model
        if "queryset" not in kwargs and scoping.has_rule(related):
            queryset = related._default_manager.all()
            related_rule = scoping.rule_for(related)
            if related_rule.place:
                # Choices are places where the user may act, not every place they may see.
                prefixes = scoping.jurisdictions(request.user, scoping.rule_for(self.model).change)
                if not scoping.is_unrestricted(request.user):
                    queryset = queryset.filter(scoping.prefix_q(related_rule.fields, prefixes))
            else:
                queryset = scoping.scope_queryset(request.user, queryset)
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- saving through services -------------------------------------------------------------

    def service_create(self, request: HttpRequest, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError(f"{type(self).__name__} cannot add through the admin")

    def service_update(
        self, request: HttpRequest, obj: models.Model, changes: dict[str, Any]
    ) -> models.Model:
        raise NotImplementedError(f"{type(self).__name__} cannot change through the admin")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data if f in form.cleaned_data}
            saved = self.service_update(request, type(obj)._default_manager.get(pk=obj.pk), changes)
        else:
            saved = self.service_create(request, dict(form.cleaned_data))
        # The admin goes on with its own object (the change message, the redirect): it becomes
        # the row as the service stored it.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Related objects change through their own services, never as a side effect here.
        return None

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            field = f"{exc.field}: " if exc.field else ""
            self.message_user(request, f"{field}{exc.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def run_service(self, request: HttpRequest, func: Any, *args: Any, **kwargs: Any) -> bool:
        """For admin actions: call a service, show a refusal as a message."""
        try:
            func(*args, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        return True
