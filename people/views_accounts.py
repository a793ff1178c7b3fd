"""Web login, logout, password change and "my account" (R20.1, R22.1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from gridgov.access import scoping
from gridgov.errors import DomainError
from people import auth, services
from people.api.serializers import grants_data
from people.models import ApiToken, GridWorker


class ThrottledAuthenticationForm(AuthenticationForm):
    """Says plainly when the account is locked, instead of "wrong password" (R22.1)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码错误。注意:连续失败多次后账号将被暂时锁定。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = auth.request_ip(self.request)
        if username and auth.lock_state(username, ip).locked:
            raise forms.ValidationError(self._locked_message(), code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and auth.lock_state(username, ip).locked:
                raise forms.ValidationError(self._locked_message(), code="locked") from None
            raise

    @staticmethod
    def _locked_message() -> str:
        minutes = max(1, auth._limits()[1] // 60)
        return _("登录失败次数过多,该账号在本机已被锁定,请 %(minutes)d 分钟后再试。") % {
            "minutes": minutes
        }


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class ServicePasswordChangeForm(PasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        # The change goes through the service so it is validated and audited like any other.
        try:
            services.set_password(
                self.user,
                self.user,
                self.cleaned_data["new_password1"],
                old_password=self.cleaned_data["old_password"],
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return self.user


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ServicePasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("profile")

    @method_decorator(sensitive_post_parameters())
    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().dispatch(*args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("密码已修改"))
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """My account: roles, jurisdiction, grids I serve, API tokens in use."""
    user = request.user
    return render(
        request,
        "people/profile.html",
        {
            "grants": grants_data(user),
            "jurisdictions": scoping.jurisdictions(user),
            "workers": GridWorker.objects.filter(user=user).prefetch_related("assignments"),
            "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by(
                "-created_at"
            ),
        },
    )
