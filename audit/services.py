"""Writing the audit trail (R28.1). Call :func:`record` inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models, transaction

from audit import actions
from audit.models import AuditRecord
from gridgov import context
from gridgov.access import scoping
from gridgov.actors import Actor


def jsonable(value: Any) -> Any:
    """Turn model field values into JSON for before/after snapshots."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(obj, attname))
    return out


def audited_update(
    actor: Any,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any],
    *,
    fields: Sequence[str] | None = None,
    **details: Any,
) -> bool:
    """Set ``changes`` (field name to cleaned value) on ``obj``, save the fields whose value
    changed and record ``action`` with their before and after, in the caller's transaction
    (R28.1). Returns whether anything changed; when nothing did, nothing is saved or recorded.

    The caller has locked ``obj``, checked the actor's right and cleaned the values. Only the
    changed fields are saved, plus the ``auto_now`` ones (as a full save would refresh them).
    ``fields`` names the snapshot taken before and after (default: the changed fields), for a
    trail that shows the whole record; ``details`` as for :func:`new_record` (``region_code``,
    ``role``, ``note`` ...)."""
    before = snapshot(obj, fields) if fields is not None else None
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    if not changed:
        return False
    if before is None:
        before = snapshot(obj, changed)
    for name in changed:
        setattr(obj, name, changes[name])
    stamps = [
        f.name
        for f in obj._meta.get_fields()
        if f.concrete and getattr(f, "auto_now", False) and f.name not in changed
    ]
    obj.save(update_fields=[*changed, *stamps])
    record(
        actor,
        action,
        obj,
        before=before,
        after=snapshot(obj, fields if fields is not None else changed),
        **details,
    )
    return True


def record_created(
    actor: Actor,
    action: str,
    obj: models.Model,
    fields: Iterable[str],
    *,
    region_code: str,
    grant: scoping.Grant | None,
) -> AuditRecord:
    """The record of a new row (R28.1): its ``fields`` as ``after``, filed under
    ``region_code``, stamped with the role ``grant`` (from ``scoping.require``) gave the
    actor: what a service that creates one object records."""
    return record(
        actor,
        action,
        obj,
        after=snapshot(obj, fields),
        region_code=region_code,
        role=scoping.acting_role(actor, grant),
    )


def record(actor: Any, action: str, obj: models.Model | None = None, **details: Any) -> AuditRecord:
    """Append one audit record (``details`` as for :func:`new_record`); must run inside the
    transaction of the change it describes."""
    return store(new_record(actor, action, obj, **details))


def store(entry: AuditRecord) -> AuditRecord:
    """Store a record from :func:`new_record`, inside the transaction of its change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    entry.save(force_insert=True)
    return entry


def store_many(entries: Iterable[AuditRecord]) -> list[AuditRecord]:
    """Store many records from :func:`new_record` in bulk (a change of thousands of objects,
    e.g. the deadlines a calendar notice moves), inside the transaction of their change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.store_many() must be called inside the service's transaction")
    return AuditRecord.objects.bulk_create(list(entries), batch_size=1000)


def new_record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    before: Any = None,
    after: Any = None,
    region_code: str = "",
    role: str = "",
    note: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditRecord:
    """The audit record of a change, not yet stored: for a service that stores it in the
    same statement as the change itself (``gridgov.rows.insert_together``). ``action`` is a
    member of an app's registered :class:`audit.actions.AuditAction` enum; an unregistered
    code raises :class:`audit.actions.UnregisteredAction`."""
    actions.check(action)
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_name = ""
    if user is not None:
        actor_name = user.get_username()
    elif isinstance(actor, str):
        actor_name = actor
    return AuditRecord(
        actor=user,
        actor_name=actor_name or ctx.channel,
        role=role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code,
        before=jsonable(before),
        after=jsonable(after),
        note=note,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        channel=ctx.channel,
    )
