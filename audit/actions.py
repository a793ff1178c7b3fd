"""The audit actions: each app declares the codes it writes once, as an enum with a label, and
registers it here (R28.1). The audit screens show the label, the exports and the API the code.

audit sits below the apps that write the trail, so it lists none of their codes: an app
subclasses :class:`AuditAction` in its own ``actions.py`` and calls :func:`register` from its
``AppConfig.ready()``. :func:`audit.services.new_record` refuses a code nobody registered (a
typo caught by the tests, not a record nobody can label); :func:`label` falls back to the code
for records older than their action's declaration.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    """Base of the apps' action enums:
    ``CHECK = "cases.check", pgettext_lazy("audit action", "核查结案")``. Members are ``str``,
    so a record stores exactly the code. The labels have their own message context: a label
    reads as the name of a step on the trail, whatever the same words mean elsewhere."""


class UnregisteredAction(ValueError):
    """An audit record with an action code no app registered: a programming mistake."""


E = TypeVar("E", bound=type[AuditAction])

# code -> (label, the enum declaring it); read on every audit write, so a plain dict.
_REGISTRY: dict[str, tuple[Any, type[AuditAction]]] = {}


def register(enum_class: E) -> E:
    """Make ``enum_class``'s codes writable and labelled (idempotent; usable as a decorator).
    A code declared by two enums stops start-up: two labels for one code."""
    for member in enum_class:
        known = _REGISTRY.get(member.value)
        if known is not None and known[1] is not enum_class:
            raise ImproperlyConfigured(
                f"audit action {member.value!r} is declared by both "
                f"{known[1].__qualname__} and {enum_class.__qualname__}"
            )
        _REGISTRY[member.value] = (member.label, enum_class)
    return enum_class


def check(code: str) -> None:
    """Raise :class:`UnregisteredAction` unless an app registered ``code``."""
    if code not in _REGISTRY:
        raise UnregisteredAction(
            f"audit action {code!r} is not registered: declare it in the app's actions.py "
            "(an AuditAction enum) and register it in the app's AppConfig.ready()"
        )


def label(code: str) -> str:
    """The action's display name in the current language; the code itself when no app
    declares it (a record written before its action was declared, or since retired)."""
    known = _REGISTRY.get(code)
    return str(known[0]) if known is not None else code


def registered() -> dict[str, Any]:
    """Every registered code with its (lazy) label, for the tests and the documentation."""
    return {code: entry[0] for code, entry in _REGISTRY.items()}


class AuditTrailAction(AuditAction):
    """What the audit app itself records: the exports of the trail and the access log."""

    EXPORT_TRAIL = "audit.export.audit-trail", pgettext_lazy("audit action", "导出审计记录")
    EXPORT_ACCESS_LOG = (
        "audit.export.personal-data-access",
        pgettext_lazy("audit action", "导出个人信息查看记录"),
    )
