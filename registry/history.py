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

from django.db import models

from audit.actions import label as action_label
from audit.models import AuditRecord

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
    except Exception:  # a field since removed: show the stored value
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or [])
    return str(choices.get(value, value))


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def field_history(obj: models.Model) -> list[Change]:
    """The changes of ``obj``, newest first (at most :data:`MAX_CHANGES`)."""
    model = type(obj)
    records = AuditRecord.objects.filter(
        object_type=model._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-at", "-id")[:MAX_CHANGES]
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
                FieldChange(name, _label(model, name), _shown(model, name, old),
                            _shown(model, name, new))
            )  # fmt: skip
        changes.append(Change(record.at, record.actor_name, action_label(record.action), fields))
    return changes
