"""Field and constraint declarations that many models of many apps repeat.

- :func:`actor_field`: who took a step (created, published, reviewed, recorded …): an account,
  optional (the system acts too), never deleted while a record names it (the audit trail keeps
  who acted, R28.1), and no reverse accessor on the user.
- :func:`optional_fk`: an optional reference to a row that may not be deleted while referenced.
- :func:`span_check`: a span whose end is open (NULL) or not before its start.

They return the same field and constraint objects as the declarations they replace, so the
migration state does not change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q


def actor_field(verbose_name: Any = None) -> models.ForeignKey:
    """The account that took a step (null for the system); see the module docstring."""
    return optional_fk(settings.AUTH_USER_MODEL, verbose_name, "+")


def optional_fk(
    to: Any, verbose_name: Any, related_name: str, *, on_delete: Any = models.PROTECT, **more: Any
) -> models.ForeignKey:
    """An optional foreign key (``null`` and ``blank``), by default protecting its target."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        **more,
    )


def span_check(start: str, end: str, name: str) -> models.CheckConstraint:
    """The constraint that ``end`` is empty (still open) or not before ``start``."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
    )
