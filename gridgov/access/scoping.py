"""The one scoping mechanism (R22.1): what a user may see and change.

Every queryset a user reaches — API, web page, export, Django admin — goes through
:func:`scope_queryset`. It limits the queryset to the user's jurisdiction (region or grid code
prefixes of the user's active roles) and to the roles the model admits for the action.

A model says how it maps to a code by a :class:`ScopeRule` in its ``scope_rule`` class
attribute, the one way to declare it (each app declares the rules of its own models). A model
without a rule makes :func:`scope_queryset` raise ``ImproperlyConfigured``: nothing is visible
by accident.

Where the grants come from is not the core's business: the app that keeps role and grid
assignments (``people``) registers a :class:`GrantSource` with :func:`set_grant_source` at
start-up. Without one, nobody holds a role (deny by default).

For later features:

- ``user_roles(user)`` → the active :class:`Grant` list (role, code, department, grid…);
- ``jurisdictions(user, roles=...)`` → the code prefixes of those roles;
- ``has_role(user, role_or_roles, region_code=..., department=...)`` → bool;
- ``require(user, roles, region_code, ...)`` → raises ``Forbidden`` (for services);
- ``scope_queryset(user, qs, action="view"|"change", roles=None)``.

The Django superuser is the break-glass account of a deployment: unscoped, like the database
owner; every service it calls is still audited. Staff accounts get roles instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from gridgov.access import roles as R
from gridgov.errors import Forbidden
from gridgov.generations import Generation

CACHE_ATTR = "_gridgov_grants"
CODE_LENGTHS = (2, 4, 6, 9, 12, 15)


@dataclass(frozen=True)
class Grant:
    """One active role of a user, bound to a jurisdiction code."""

    role: str
    code: str  # region code (2–12 digits) or grid code (15 digits); "" = no jurisdiction
    department_id: int | None = None
    source: str = "role"  # "role": a RoleAssignment; "grid": an active grid assignment
    source_id: int | None = None

    @property
    def role_label(self) -> str:
        return R.label(self.role)

    def covers(self, code: str) -> bool:
        return bool(self.code) and code.startswith(self.code)


@dataclass
class Access:
    """What a custom rule gets: the user, their grants for the action, and the prefixes."""

    user: Any
    grants: list[Grant]
    prefixes: tuple[str, ...]
    department_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ScopeRule:
    """How a model maps to jurisdiction codes and which roles may see or change it.

    ``fields``: lookups whose value is a region or grid code (single-valued relations only;
    an object is in scope when any of them starts with one of the user's prefixes).
    ``q``: a function ``Access -> Q`` for anything more (multi-valued relations, departments).
    ``global_``: a catalogue without a jurisdiction (department kinds): every ``view`` role
    sees all of it.
    ``place``: the model is a place itself (a region): as a choice in a form of another model
    it offers the places where the user may change that model, not every place they may see.
    """

    view: frozenset[str]
    change: frozenset[str] = frozenset()
    fields: tuple[str, ...] = ()
    q: Callable[[Access], Q] | None = None
    global_: bool = False
    place: bool = False

    def __post_init__(self) -> None:
        if not (self.fields or self.q or self.global_):
            raise ImproperlyConfigured("a ScopeRule needs fields, q or global_=True")

    def roles_for(self, action: str) -> frozenset[str]:
        if action == "view":
            return self.view
        if action == "change":
            return self.change
        raise ValueError(f"unknown scope action {action!r} (view or change)")


def rule_for(model: type[models.Model]) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if not isinstance(rule, ScopeRule):
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no scope_rule: every model a user reaches must say "
            "how it maps to a jurisdiction (see gridgov.access.scoping)"
        )
    return rule


def has_rule(model: type[models.Model]) -> bool:
    try:
        rule_for(model)
    except ImproperlyConfigured:
        return False
    return True


# --- grants ----------------------------------------------------------------------------------


class GrantSource(Protocol):
    """Where the grants come from: registered by the app that keeps role assignments."""

    def load(self, user: Any) -> list[Grant]:
        """The user's active grants now (role assignments, grid assignments …)."""

    def valid_until(self, user: Any, now: dt.datetime) -> dt.datetime | None:
        """The next moment one of the user's grants starts or ends (None: no such moment)."""

    def generation(self) -> tuple[str, ...]:
        """Tokens of the data the grants follow besides the access generation (e.g. the grid
        index: grid roles follow current grids); a change of one drops the cached grants."""


_source: GrantSource | None = None


def set_grant_source(source: GrantSource | None) -> None:
    """Register where the grants come from (the people app does, at ready()); None: none."""
    global _source
    _source = source
    _grants_cache.clear()


def user_roles(user: Any) -> list[Grant]:
    """The user's active grants (cached on the user object for the request, and per process
    until access changes: see :func:`cached_grants`)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, CACHE_ATTR, None)
    if cached is None:
        cached = cached_grants(user)
        setattr(user, CACHE_ATTR, cached)
    return list(cached)


def forget_roles(user: Any) -> None:
    """Drop the cached grants after a change of roles or assignments (in every process)."""
    if user is not None and hasattr(user, CACHE_ATTR):
        delattr(user, CACHE_ATTR)
    invalidate_access()


# --- grants cached per process --------------------------------------------------------------
# Every API request asks for the user's grants (two queries); they change rarely. Each process
# keeps them per user and drops them all when the access generation changes. Every save or
# delete of an account, token, role, worker or grid assignment changes it (the grant source's
# signals, people.grants; services also call forget_roles()), and so does a change of grids
# (grid roles follow current grids: the source's generation() includes the grid index's). The
# generation lives in the shared cache (Redis in production), so a change made in one process
# reaches all; it is a random token, so a cleared cache never revives old grants.

ACCESS_GENERATION = Generation("people:access-generation")
_GRANTS_MAX_AGE = dt.timedelta(minutes=5)  # a bound on staleness should a change be missed
_GRANTS_MAX_USERS = 50_000
_grants_cache: dict[Any, tuple[dt.datetime, list[Grant]]] = {}
_grants_generation: tuple[str, ...] | None = None


def access_generation() -> tuple[str, ...]:
    """(access token, the grant source's tokens): what the cached grants were computed under."""
    extra = _source.generation() if _source is not None else ()
    return (ACCESS_GENERATION.current(), *extra)


def invalidate_access() -> None:
    """Tell every process that accounts, tokens or roles changed: now, and again on commit
    (a process that reloads in between must not keep what the transaction replaced)."""
    ACCESS_GENERATION.bump_now_and_on_commit()


def cached_grants(user: Any, generation: tuple[str, ...] | None = None) -> list[Grant]:
    """The user's grants from this process's cache, loaded when missing, stale or expired."""
    global _grants_generation
    generation = generation or access_generation()
    now = timezone.now()
    if generation != _grants_generation:
        _grants_cache.clear()
        _grants_generation = generation
    entry = _grants_cache.get(user.pk)
    if entry is not None and now < entry[0]:
        return entry[1]
    grants = _source.load(user) if _source is not None else []
    if len(_grants_cache) >= _GRANTS_MAX_USERS:
        _grants_cache.clear()
    _grants_cache[user.pk] = (_grants_valid_until(user, now), grants)
    return grants


def _grants_valid_until(user: Any, now: dt.datetime) -> dt.datetime:
    """The cached grants' expiry: the next change the source knows of, at most the max age."""
    bound = now + _GRANTS_MAX_AGE
    change = _source.valid_until(user, now) if _source is not None else None
    return min(bound, change) if change is not None else bound


def _as_set(roles: str | Iterable[str] | None) -> frozenset[str] | None:
    if roles is None:
        return None
    if isinstance(roles, str):
        return frozenset({roles})
    return frozenset(roles)


def grants_for(user: Any, roles: str | Iterable[str] | None = None) -> list[Grant]:
    wanted = _as_set(roles)
    return [g for g in user_roles(user) if wanted is None or g.role in wanted]


def minimal_prefixes(codes: Iterable[str]) -> tuple[str, ...]:
    """Drop codes covered by a shorter one: ("4407", "440703", "440784") → ("4407",)."""
    out: list[str] = []
    for code in sorted({c for c in codes if c}, key=lambda c: (len(c), c)):
        if not any(code.startswith(p) for p in out):
            out.append(code)
    return tuple(sorted(out))


def jurisdictions(user: Any, roles: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The code prefixes the user's (given) roles cover."""
    return minimal_prefixes(g.code for g in grants_for(user, roles))


def home_code(user: Any) -> str:
    """The one code covering all the user's jurisdictions ("" when they have none).

    Used to file records about the person (logins, account changes) where the auditors of
    their place will find them: a county dispatcher's login goes under the county.
    """
    return covering_code(jurisdictions(user))


def covering_code(codes: Iterable[str]) -> str:
    """The longest whole region code (2, 4, 6, 9, 12 or 15 digits) that every one of
    ``codes`` starts with ("" for none)."""
    prefixes = minimal_prefixes(codes)
    if not prefixes:
        return ""
    common = prefixes[0]
    for code in prefixes[1:]:
        while not code.startswith(common):
            common = common[:-1]
    # Cut back to a whole code (2, 4, 6, 9, 12 or 15 digits): "440" is no place.
    return max((common[:n] for n in CODE_LENGTHS if n <= len(common)), key=len, default="")


def is_unrestricted(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def _grant_for(
    user: Any, roles: str | Iterable[str], region_code: str | None, department: Any
) -> Grant | None:
    """The user's first grant of one of ``roles`` covering ``region_code`` (when given) and
    for ``department`` (when given)."""
    department_id = getattr(department, "pk", department)
    for grant in grants_for(user, roles):
        if region_code is not None and not grant.covers(region_code):
            continue
        if department_id is not None and grant.department_id != department_id:
            continue
        return grant
    return None


def has_role(
    user: Any,
    roles: str | Iterable[str],
    *,
    region_code: str | None = None,
    department: Any = None,
) -> bool:
    """Does the user hold one of ``roles`` (over ``region_code``, for ``department``)?"""
    if is_unrestricted(user):
        return True
    return _grant_for(user, roles, region_code, department) is not None


def require(
    user: Any,
    roles: str | Iterable[str],
    *,
    region_code: str | None = None,
    department: Any = None,
    what: str = "",
) -> Grant | None:
    """The grant that allows the action, or Forbidden; services call this.

    System actors (commands, demo, tasks) and the superuser pass and get None.
    """
    if is_system(user) or is_unrestricted(user):
        return None
    grant = _grant_for(user, roles, region_code, department)
    if grant is not None:
        return grant
    names = pgettext("list separator", "、").join(
        sorted(R.label(r) for r in (_as_set(roles) or ()))
    )
    message = gettext("无权%(what)s:需要%(roles)s角色") % {
        "what": what or gettext("执行此操作"),
        "roles": names,
    }
    if region_code:
        message += gettext("(管辖范围须包含 %(code)s)") % {"code": region_code}
    raise Forbidden(message)


def acting_role(actor: Any, grant: Grant | None) -> str:
    """The role to stamp on the audit record of an action allowed by ``grant``."""
    if grant is not None:
        return grant.role
    if is_system(actor):
        return "system"
    return "superuser" if is_unrestricted(actor) else ""


def is_system(actor: Any) -> bool:
    """Management commands, the demo loader and background tasks act as the system."""
    return actor is None or isinstance(actor, str)


def department_ids(user: Any, roles: str | Iterable[str] | None = None) -> frozenset[int]:
    return frozenset(g.department_id for g in grants_for(user, roles) if g.department_id)


# --- the scoping function -------------------------------------------------------------------


def prefix_q(lookups: Sequence[str], prefixes: Sequence[str]) -> Q:
    """``Q(a__startswith=p1) | Q(a__startswith=p2) | Q(b__startswith=p1) …``"""
    parts = [Q(**{f"{lookup}__startswith": p}) for lookup in lookups for p in prefixes]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def scope_queryset(
    user: Any,
    queryset: models.QuerySet,
    *,
    action: str = "view",
    roles: str | Iterable[str] | None = None,
) -> models.QuerySet:
    """Limit ``queryset`` to what ``user`` may ``action`` ("view" or "change").

    ``roles`` narrows the roles considered (default: the model's rule for the action).
    """
    rule = rule_for(queryset.model)
    if is_unrestricted(user):
        return queryset
    allowed = rule.roles_for(action)
    wanted = _as_set(roles)
    if wanted is not None:
        allowed = allowed & wanted
    grants = grants_for(user, allowed)
    if not grants:
        return queryset.none()
    if rule.global_:
        return queryset
    prefixes = minimal_prefixes(g.code for g in grants)
    if rule.q is not None:
        access = Access(
            user=user,
            grants=grants,
            prefixes=prefixes,
            department_ids=frozenset(g.department_id for g in grants if g.department_id),
        )
        condition = rule.q(access)
    else:
        condition = prefix_q(rule.fields, prefixes)
    if not prefixes and rule.q is None:
        return queryset.none()
    return queryset.filter(condition)


def can_view_any(user: Any, model: type[models.Model], action: str = "view") -> bool:
    """Does the user hold any role the model admits for the action (regardless of place)?"""
    if is_unrestricted(user):
        return True
    return bool(grants_for(user, rule_for(model).roles_for(action)))


def in_scope(user: Any, obj: models.Model, action: str = "view") -> bool:
    """Is ``obj`` inside what ``user`` may ``action``? System actors (commands) always are."""
    if is_system(user):
        return True
    model = type(obj)
    return scope_queryset(user, model._default_manager.filter(pk=obj.pk), action=action).exists()


def today() -> dt.date:
    return timezone.localdate()
