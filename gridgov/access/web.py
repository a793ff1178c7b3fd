"""Scoped web views: the web side of the one scoping mechanism (R22.1).

Web pages that show objects to users derive from :class:`ScopedListView`,
:class:`ScopedDetailView` or :class:`ScopedView` (a view over one model that does its own
rendering, e.g. an export or a POST action). They require a login, refuse users with none of
the model's roles (403), and put every queryset through ``gridgov.access.scoping.scope_queryset``,
so an object of another jurisdiction is a 404. The URL-enumeration test checks this for
every web route.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views import View
from django.views.generic import DetailView, ListView

from gridgov.access import scoping


class ScopedMixin(LoginRequiredMixin):
    """Login, a role the model admits, and scoped querysets."""

    model: ClassVar[type[models.Model] | None] = None
    scope_model: ClassVar[type[models.Model] | None] = None
    scope_action: ClassVar[str] = "view"
    raise_exception = False  # anonymous → login page

    @classmethod
    def scoped_model(cls) -> type[models.Model]:
        model = cls.scope_model or cls.model
        if model is None:
            raise AssertionError(f"{cls.__name__} must set model or scope_model")
        return model

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not scoping.can_view_any(
            request.user, self.scoped_model(), "view"
        ):
            raise PermissionDenied(gettext("您的角色无权访问此页面"))
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, queryset: models.QuerySet, action: str = "view") -> models.QuerySet:
        return scoping.scope_queryset(self.request.user, queryset, action=action)

    def get_queryset(self) -> models.QuerySet:
        return self.scoped(super().get_queryset())  # type: ignore[misc]


class ScopedListView(ScopedMixin, ListView):
    paginate_by = 50

    def query_without_page(self) -> str:
        """The list's query string less ``page``: what its pager and export links carry on."""
        params = self.request.GET.copy()
        params.pop("page", None)
        return params.urlencode()


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class ScopedView(ScopedMixin, View):
    """A view over one model that renders or acts itself; use ``self.get_queryset()``."""

    def get_queryset(self) -> models.QuerySet:
        return self.scoped(self.scoped_model()._default_manager.all())


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The form's ``next`` target when it stays on this site, else ``fallback`` (a posted
    ``next=`` never redirects elsewhere: no open redirect, R22.1)."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
