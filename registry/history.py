"""The history of every field change of a registry record (R11.1), read from its audit
records: each change with its time, who made it, and each changed field before and after.

The audit trail never holds a protected value in clear (the services record the masked forms
only); the fields of the stored forms (``*_encrypted``, ``*_digest``) are left out all the same.
The caller passes a record it already found through ``scope_queryset``: the history is part of
the record the user may see, read by its type and id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from audit.actions import label as action_label
from audit.models import AuditRecord
from gridgov.access import scoping

HIDDEN_SUFFIXES = ("_encrypted", "_digest")
MAX_CHANGES = 200


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    at: Any
    actor: str
    action: str
    fields: list[FieldChange]


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: show the stored value
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or [])
    return str(choices.get(value, value))


def _is_reference(model: type[models.Model], name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return bool(field.is_relation and field.many_to_one)


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _references(model: type[models.Model], records: list[AuditRecord], user: Any) -> dict:
    """{(field, pk): text} for the foreign keys named in ``records`` (a house, a household …),
    looked up through the user's scope: a record the user may not see stays "#pk"."""
    wanted: dict[str, set[str]] = {}
    for record in records:
        for side in (record.before, record.after):
            for name, value in (side or {}).items() if isinstance(side, dict) else ():
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if field.is_relation and field.many_to_one and value not in (None, ""):
                    wanted.setdefault(name, set()).add(str(value))
    texts: dict[tuple[str, str], str] = {}
    for name, pks in wanted.items():
        related = model._meta.get_field(name).related_model
        ids = [int(pk) for pk in pks if pk.isdigit()]
        rows = scoping.scope_queryset(user, related._default_manager.filter(pk__in=ids))
        texts.update(((name, str(row.pk)), str(row)) for row in rows)
    return texts


def field_history(obj: models.Model, user: Any = None) -> list[Change]:
    """The changes of ``obj``, newest first (at most :data:`MAX_CHANGES`); the records it
    refers to are named when ``user`` may see them."""
    model = type(obj)
    records = list(
        AuditRecord.objects.filter(
            object_type=model._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-at", "-id")[:MAX_CHANGES]
    )
    names = _references(model, records, user) if user is not None else {}

    def shown(name: str, value: Any) -> str:
        if (name, str(value)) in names:
            return names[(name, str(value))]
        text = _shown(model, name, value)
        return f"#{text}" if text and _is_reference(model, name) else text

    changes = []
    for record in records:
        before = record.before if isinstance(record.before, dict) else {}
        after = record.after if isinstance(record.after, dict) else {}
        fields = []
        for name in dict.fromkeys([*before, *after]):
            if name.endswith(HIDDEN_SUFFIXES):
                continue
            old, new = before.get(name), after.get(name)
            if old == new:
                continue
            fields.append(
                FieldChange(name, _label(model, name), shown(name, old), shown(name, new))
            )
        changes.append(Change(record.at, record.actor_name, action_label(record.action), fields))
    return changes
