"""Exact search by a full ID-card or phone number: a reveal, authorised, logged, rate-limited
(R22.1).

A search that answers "is there a record with this number?" tells the full number to anyone
who can see its masked form: ``137****1908`` leaves 10,000 candidates, recovered in minutes by
trying each. So every exact search by a full personal number goes through :func:`exact_search`:

- only roles that may reveal personal data (``gridgov.access.roles.PERSONAL_DATA_REVEALERS``) may
  run it, and it finds records only where they may reveal (their jurisdiction for those roles);
  anyone else gets ``Forbidden`` (403), and the refused attempt is logged;
- each search writes one row in the personal-data access log (``audit.PersonalDataAccess``),
  like a reveal: which field was searched and the masked value, never the clear one;
- each user may run ``GRIDGOV_PERSONAL_SEARCH_LIMIT`` of them per
  ``GRIDGOV_PERSONAL_SEARCH_WINDOW`` seconds, counted in the shared cache (``RateLimited``:
  429 with Retry-After on the API, a message on the web).

It is generic over a model's ``PROTECTED_FIELDS`` (field → (kind, purpose)) and the
``<field>_digest`` columns beside them, so any model with protected numbers searches the same
way. A value that is not a well-formed number of any protected kind finds nothing and is no
personal search (name searches are ordinary filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from audit import personal_data as pd
from gridgov import counters
from gridgov.access import roles as R
from gridgov.access import scoping
from gridgov.errors import Forbidden, RateLimited
from people import services

SUBJECT_ID = "search"  # the access-log rows of searches carry this instead of a record id


@dataclass(frozen=True)
class NumberSearch:
    """A full personal number parsed for one model: what it is, where to look, how it shows."""

    kind: str  # "id_number" or "mobile" (audit.personal_data.KINDS)
    fields: tuple[str, ...]  # the model's protected fields of that kind
    digest: str
    masked: str


def parse(model: type[models.Model], value: str) -> NumberSearch | None:
    """The number ``value`` is for ``model``'s protected fields, or None when it is none."""
    protected: dict[str, tuple[str, str]] = getattr(model, "PROTECTED_FIELDS", {})
    for kind in dict.fromkeys(k for k, _purpose in protected.values()):
        normalize, mask = pd.KINDS[kind]
        digest = pd.search_digest(value, kind=kind)
        if digest:
            fields = tuple(f for f, (k, _purpose) in protected.items() if k == kind)
            return NumberSearch(kind, fields, digest, mask(normalize(value)))
    return None


def may_search(actor: Any, roles: frozenset[str] = R.PERSONAL_DATA_REVEALERS) -> bool:
    """Does the actor hold a role that may search by full numbers somewhere? (for the UI)"""
    return scoping.is_system(actor) or scoping.has_role(actor, roles)


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "GRIDGOV_PERSONAL_SEARCH_LIMIT", 30)),
        int(getattr(settings, "GRIDGOV_PERSONAL_SEARCH_WINDOW", 3600)),
    )


def exact_search(
    actor: Any,
    queryset: models.QuerySet,
    value: str,
    *,
    roles: frozenset[str] = R.PERSONAL_DATA_REVEALERS,
) -> models.QuerySet:
    """``queryset`` narrowed to the records whose protected number equals ``value``.

    Raises ``Forbidden`` for a role that may not reveal (logged) and ``RateLimited`` past the
    per-user limit (logged); logs one access row per search that runs.
    """
    model = queryset.model
    search = parse(model, value)
    if search is None:
        return queryset.none()
    what = _("按完整的身份证号或手机号查找")
    try:
        grant = scoping.require(actor, roles, what=what)
    except Forbidden:
        _log(actor, model, search, granted=False, role="", note=_("无权查找"))
        raise
    user_pk = getattr(actor, "pk", None)
    if user_pk is not None:
        limit, window = _limits()
        used, retry_after = counters.hit(f"gridgov:personal-search:{user_pk}", window)
        if used > limit:
            _log(actor, model, search, granted=False, role="", note=_("超过查找频率限制"))
            raise RateLimited(
                _("按完整号码查找过于频繁:每 %(minutes)d 分钟最多 %(n)d 次,请 %(wait)d 秒后再试")
                % {"minutes": max(1, window // 60), "n": limit, "wait": retry_after},
                retry_after=retry_after,
            )
    role = scoping.acting_role(actor, grant)
    _log(actor, model, search, granted=True, role=role, note=_("精确查找"))
    where = reduce(or_, (Q(**{f"{field}_digest": search.digest}) for field in search.fields))
    # Only where the actor may reveal: a revealer in one county who dispatches in another
    # does not search the other county's records by number.
    return scoping.scope_queryset(actor, queryset, roles=roles).filter(where)


def _log(
    actor: Any,
    model: type[models.Model],
    search: NumberSearch,
    *,
    granted: bool,
    role: str,
    note: str,
) -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    services.log_personal_data_access(
        actor,
        subject_type=model._meta.label_lower,
        subject_id=SUBJECT_ID,
        subject_repr=search.masked,
        field=",".join(search.fields),
        reason=note,
        region_code=scoping.home_code(user) if user is not None else "",
        granted=granted,
        role=role,
    )
