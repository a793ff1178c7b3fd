"""Scoped REST views: the API side of the one scoping mechanism (R22.1).

Every viewset of every app that serves objects to users derives from :class:`ScopedViewSet`
(or mixes in :class:`ScopedQuerysetMixin` in front of a DRF generic view). Then:

- the queryset goes through :func:`gridgov.access.scoping.scope_queryset` ("view"): an object
  outside the user's jurisdiction is simply not there (404 on its URL, absent from lists);
- a write to an object the user can see but may not change is 403 ("change" scope);
- a user with none of the roles the model admits gets 403 on the whole endpoint;
- ``action_scopes`` says which extra actions are reads (``{"reveal": "view"}``).

The URL-enumeration test (``people/tests/test_scoping_urls.py``) walks every API route and
checks these promises for every role; a view that does not derive from these classes fails it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext, gettext_lazy
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request

from gridgov.access import scoping

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ScopedRolePermission(permissions.BasePermission):
    """The user holds a role the model admits for the kind of request (view or change)."""

    message = gettext_lazy("您的角色无权访问此接口")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        model = view.scoped_model()
        action = view.scope_action_for_request()
        if action == "change" and getattr(view, "detail_action", False):
            # Detail writes are decided per object (404 before 403), in get_object().
            action = "view"
        return scoping.can_view_any(user, model, action)


class ScopedQuerysetMixin:
    """Put every queryset and object of a DRF view through ``scope_queryset``."""

    scope_model: ClassVar[type[models.Model] | None] = None
    # Extra actions that only read (e.g. "reveal", which the service authorises and logs).
    action_scopes: ClassVar[dict[str, str]] = {}
    request: Request
    kwargs: dict[str, Any]

    @classmethod
    def scoped_model(cls) -> type[models.Model]:
        if cls.scope_model is not None:
            return cls.scope_model
        queryset = getattr(cls, "queryset", None)
        if queryset is None:
            raise AssertionError(f"{cls.__name__} must set queryset or scope_model")
        return queryset.model

    @property
    def detail_action(self) -> bool:
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        return lookup in getattr(self, "kwargs", {})

    def scope_action_for_request(self) -> str:
        name = getattr(self, "action", None) or ""
        if name in self.action_scopes:
            return self.action_scopes[name]
        return "view" if self.request.method in SAFE_METHODS else "change"

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()  # type: ignore[misc]
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return queryset.none()
        return scoping.scope_queryset(self.request.user, queryset, action="view")

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]  # 404 outside the view scope
        if self.scope_action_for_request() == "change" and not scoping.in_scope(
            self.request.user, obj, "change"
        ):
            raise PermissionDenied(gettext("您无权修改此对象"))
        return obj


class ScopedViewSet(ScopedQuerysetMixin, viewsets.GenericViewSet):
    permission_classes: ClassVar[list[Any]] = [ScopedRolePermission]


class ScopedReadOnlyViewSet(
    ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes: ClassVar[list[Any]] = [ScopedRolePermission]


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An input reference to an object the requesting user can see; others "do not exist".

    Used for every foreign key a client sends, so ids from another jurisdiction are refused
    as unknown (400) without telling whether they exist.
    """

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return scoping.scope_queryset(user, queryset, action="view")
