"""Logging in: throttled password checks and API tokens (R20.1, R22.1).

One account, one password, three doors: the web login, the Django admin login and
``POST /api/v1/auth/token/``. All three call ``django.contrib.auth.authenticate``, which reaches
:class:`ThrottledModelBackend`: after ``GRIDGOV_LOGIN_MAX_FAILURES`` failures for one account
from one address, that pair is locked for ``GRIDGOV_LOGIN_LOCK_SECONDS`` (counted in the shared
cache, Redis or the database, so every process shares the count).

One address trying many accounts is slowed, not locked: a whole township office behind one
NAT address must not be locked out because of one person's (or one attacker's) failures. Past
``GRIDGOV_LOGIN_ADDRESS_FAILURES`` failures from an address in the window, every password check
from it waits ``GRIDGOV_LOGIN_SLOWDOWN_SECONDS`` first; a colleague with the right password
still gets in, a few seconds later, while guessing across accounts costs that much per guess.
The address is the one :func:`audit.middleware.client_ip` decides (trusted proxies).

API tokens are random 40-character strings shown once; the database keeps only their SHA-256,
so a copy of the database does not hand out working tokens. Tokens expire.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from audit import services as audit
from audit.middleware import client_ip
from gridgov import counters
from gridgov.access import scoping
from people.actions import PeopleAction


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "GRIDGOV_LOGIN_MAX_FAILURES", 5)),
        int(getattr(settings, "GRIDGOV_LOGIN_LOCK_SECONDS", 900)),
    )


def _slowdown() -> tuple[int, float]:
    return (
        int(getattr(settings, "GRIDGOV_LOGIN_ADDRESS_FAILURES", 30)),
        float(getattr(settings, "GRIDGOV_LOGIN_SLOWDOWN_SECONDS", 2)),
    )


def pause(seconds: float) -> None:
    """Wait before a password check from a busy address (tests replace it)."""
    time.sleep(seconds)


def _account_key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"gridgov:login-failures:{digest}"


def _address_key(ip: str) -> str:
    return f"gridgov:login-failures-ip:{ip}"


@dataclass(frozen=True)
class LockState:
    locked: bool
    failures: int
    retry_after: int  # seconds


def lock_state(username: str, ip: str) -> LockState:
    """Is this account locked from this address? (Only the pair is ever locked.)"""
    limit, window = _limits()
    failures = int(cache.get(_account_key(username, ip), 0))
    locked = failures >= limit
    return LockState(locked, failures, window if locked else 0)


def address_delay(ip: str) -> float:
    """Seconds every password check from ``ip`` waits now (0 unless the address is busy)."""
    threshold, seconds = _slowdown()
    by_address = int(cache.get(_address_key(ip), 0))
    return seconds if by_address >= threshold else 0.0


def record_failure(username: str, ip: str) -> LockState:
    limit, window = _limits()
    failures = counters.increment(_account_key(username, ip), window)
    counters.increment(_address_key(ip), window)
    return LockState(failures >= limit, failures, window if failures >= limit else 0)


def clear_failures(username: str, ip: str) -> None:
    cache.delete(_account_key(username, ip))


def request_ip(request: HttpRequest | None) -> str:
    if request is None:
        return "-"
    return client_ip(request) or "-"


def _audit_login(action: PeopleAction, user: Any, username: str, note: str = "") -> None:
    from django.contrib.auth import get_user_model

    from gridgov.access import scoping

    # A failed attempt on a real account is filed under that account's place, so the
    # auditors of that place see who is trying to get in.
    known = user or get_user_model().objects.filter(username=username).first()
    with transaction.atomic():
        audit.record(
            user if user is not None else f"anonymous:{username[:100]}",
            action,
            known,
            note=note,
            object_type="people.user" if known is None else "",
            object_repr=username[:200] if known is None else "",
            region_code=scoping.home_code(known) if known is not None else "",
        )


class ThrottledModelBackend(ModelBackend):
    """Django's password check, refused while the account+address pair is locked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if not username or password is None:
            return None
        ip = request_ip(request)
        if lock_state(username, ip).locked:
            _audit_login(PeopleAction.LOGIN_REFUSED_LOCKED, None, username, f"ip={ip}")
            # PermissionDenied stops Django trying further backends.
            raise PermissionDenied(_("登录失败次数过多,账号已暂时锁定"))
        delay = address_delay(ip)
        if delay:
            pause(delay)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            state = record_failure(username, ip)
            note = f"ip={ip} failures={state.failures}" + (f" slowed={delay:g}s" if delay else "")
            _audit_login(
                PeopleAction.LOGIN_LOCKED if state.locked else PeopleAction.LOGIN_FAILED,
                None,
                username,
                note,
            )
            return None
        clear_failures(username, ip)
        _audit_login(PeopleAction.LOGIN, user, username, f"ip={ip}")
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


# --- API tokens ----------------------------------------------------------------------------

TOKEN_KEYWORD = "Token"


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: Any, *, label: str = "") -> tuple[str, Any]:
    """Create a token for ``user``; returns (the key, shown once; the ApiToken row)."""
    from people.models import ApiToken

    key = secrets.token_urlsafe(30)
    days = int(getattr(settings, "GRIDGOV_API_TOKEN_DAYS", 30))
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            key_digest=token_digest(key),
            prefix=key[:8],
            label=label[:100],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        audit.record(user, PeopleAction.TOKEN_ISSUED, token, after={"expires_at": token.expires_at})
    return key, token


def revoke_token(user: Any, token: Any) -> None:
    """Revoke a token: its owner (logging out a device) or whoever may manage the account."""
    grant = None
    if getattr(user, "pk", None) != token.user_id:
        from people import services

        grant = services.require_account_manager(user, token.user, what=_("撤销他人的接口令牌"))
    with transaction.atomic():
        type(token).objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        scoping.invalidate_access()  # cached tokens (an update() sends no signal)
        audit.record(
            user,
            PeopleAction.TOKEN_REVOKED,
            token,
            region_code=scoping.home_code(token.user),
            role=scoping.acting_role(user, grant) if grant is not None else "",
        )


# Tokens with their accounts, cached per process: every API request authenticates, and tokens
# and accounts change rarely. The cache is dropped whenever the access generation changes
# (gridgov.access.scoping: any save of an account or token, a revocation, a change of roles); expiry
# and revocation are checked on every use. Unknown keys are not cached (guesses fill nothing).
_TOKENS_MAX = 50_000
_tokens: dict[str, Any] = {}
_tokens_generation: tuple[str, str] | None = None


def _cached_token(digest: str, generation: tuple[str, str]) -> Any:
    """The token row (with its user) for a key digest, or None; shared: do not modify."""
    global _tokens_generation
    from people.models import ApiToken

    if generation != _tokens_generation:
        _tokens.clear()
        _tokens_generation = generation
    token = _tokens.get(digest)
    if token is None:
        token = ApiToken.objects.select_related("user").filter(key_digest=digest).first()
        if token is not None:
            if len(_tokens) >= _TOKENS_MAX:
                _tokens.clear()
            _tokens[digest] = token
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (R20.1: the same account as the web login)."""

    keyword = TOKEN_KEYWORD

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误:应为 'Token <令牌>'"))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式错误")) from None
        from people.models import ApiToken

        generation = scoping.access_generation()
        shared = _cached_token(token_digest(key), generation)
        if shared is None or not shared.is_usable:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期"))
        if not shared.user.is_active:
            raise exceptions.AuthenticationFailed(_("账号已停用"))
        now = timezone.now()
        # Writing last_used_at on every call would serialise requests on one row; a minute's
        # resolution is enough to see which device is in use.
        if shared.last_used_at is None or now - shared.last_used_at > dt.timedelta(minutes=1):
            ApiToken.objects.filter(pk=shared.pk).update(last_used_at=now)
            shared.last_used_at = now
        # Each request gets its own copies: views may set attributes on request.user.
        user = copy.copy(shared.user)
        token = copy.copy(shared)
        token.user = user
        setattr(user, scoping.CACHE_ATTR, scoping.cached_grants(user, generation))
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
