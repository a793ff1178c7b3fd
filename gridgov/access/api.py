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

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext, gettext_lazy
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

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


def validated(serializer_class: type, request: Request, **kwargs: Any) -> dict[str, Any]:
    """The request body parsed by the action's one input serializer (a 400 naming the field
    otherwise): rule 3 of docs/architecture.md."""
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ServiceActionsMixin:
    """The steps of a viewset whose writes each parse one input and call one service (rule 1:
    views never write models). ``output`` is the serializer of the answer (default: the
    viewset's ``serializer_class``), given the object the service returned without context."""

    request: Request
    serializer_class: Any

    def reply(self, obj: Any, *, output: type | None = None, created: bool = False) -> Response:
        """``obj`` as the answer: 201 for a new object, else 200."""
        data = (output or self.serializer_class)(obj).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def reply_created(self, obj: Any, *, output: type | None = None) -> Response:
        """The object a create service returned, as a 201."""
        return self.reply(obj, output=output, created=True)

    def object_step(
        self,
        input_class: type,
        service: Callable[..., Any],
        *args: Any,
        output: type | None = None,
        created: bool = False,
        partial: bool = False,
    ) -> Response:
        """The step on this URL's object: looked up and scoped first (404/403 before a 400),
        then the input parsed and ``service(user, obj, *args, **input)`` called."""
        obj = self.get_object()  # type: ignore[attr-defined]
        data = validated(input_class, self.request, partial=partial)
        return self.reply(
            service(self.request.user, obj, *args, **data), output=output, created=created
        )


class ScopedViewSet(ServiceActionsMixin, ScopedQuerysetMixin, viewsets.GenericViewSet):
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
