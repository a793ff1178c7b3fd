"""Several new rows written by one SQL statement (PostgreSQL), for the hottest writes.

A report stores a case, its first archive event and its audit record (R24.1, R26.2, R28.1).
Written one by one they cost a round trip each plus ``BEGIN`` and ``COMMIT``, and Django
compiles an INSERT for each; together they are one statement::

    WITH r0 AS (INSERT INTO cases_case (...) VALUES (...) RETURNING id),
         r1 AS (INSERT INTO cases_caseevent (...) VALUES (...) RETURNING id),
         r2 AS (INSERT INTO audit_auditrecord (...) VALUES (...) RETURNING id)
    SELECT (SELECT id FROM r0), (SELECT id FROM r1), (SELECT id FROM r2)

A statement is a transaction of its own in autocommit mode, so the rows are stored all or
none without ``BEGIN``/``COMMIT``; inside a caller's transaction it is simply part of it.
Foreign keys between the rows work because ids can be reserved first (:func:`reserve_id`) and
Django's foreign keys on PostgreSQL are checked at commit.

Only for models whose ``save()`` adds nothing on insert and that have no ``pre_save`` or
``post_save`` receivers: :func:`insert_together` saves such rows one by one instead (so a
receiver added later is never skipped), and does so on every other database.

Public APIs only (issue 11): the statement goes through Django's cursor, so Django sees its
errors and replaces a broken connection, and the stored rows come back as ``Model.from_db``
builds them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from types import NoneType
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def combinable(*model_classes: type[Model], using: str | None = None) -> bool:
    """Whether :func:`insert_together` writes rows of these models in one statement."""
    alias = using or router.db_for_write(model_classes[0])
    if connections[alias].vendor != "postgresql":
        return False
    return not any(
        pre_save.has_listeners(m) or post_save.has_listeners(m) or _own_placeholders(m)
        for m in model_classes
    )


@functools.cache
def _own_placeholders(model: type[Model]) -> bool:
    """A field that writes its value with SQL of its own (none of ours today): ``save()``."""
    return any(hasattr(f, "get_placeholder") for f in model._meta.local_concrete_fields)


def reserve_id(model: type[Model], using: str | None = None) -> int:
    """The next id of ``model``'s table, taken from its sequence (PostgreSQL only): a row
    whose id goes into a hash or another row before it is inserted. An id reserved and never
    used leaves a gap, as a failed insert does."""
    # Through Django's cursor (not psycopg's connection directly): a broken connection (the
    # database restarted) is then noticed by Django and replaced at the end of the request.
    # nextval() is outside any transaction's rollback anyway.
    connection = connections[using or router.db_for_write(model)]
    with connection.cursor() as cursor:
        cursor.execute(_next_id_sql(connection.alias, model))
        return cursor.fetchone()[0]


@functools.cache
def _next_id_sql(alias: str, model: type[Model]) -> str:
    meta = model._meta
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        (sequence,) = cursor.fetchone()
    return "SELECT nextval('{}')".format(sequence.replace("'", "''"))


# Field classes whose preparation for the database is the identity on values of these exact
# types (Django's to_python/get_prep_value/get_db_prep_value return them unchanged on
# PostgreSQL): such values go as they are. Any other value, and every other field, takes the
# field's own preparation.
_UNCHANGED: dict[type[Field], tuple[type, ...]] = {
    models.CharField: (str, NoneType),
    models.TextField: (str, NoneType),
    models.IntegerField: (int, NoneType),
    models.PositiveIntegerField: (int, NoneType),
    models.PositiveSmallIntegerField: (int, NoneType),
    models.SmallIntegerField: (int, NoneType),
    models.BigIntegerField: (int, NoneType),
    models.AutoField: (int, NoneType),
    models.BigAutoField: (int, NoneType),
    models.BooleanField: (bool, NoneType),
    models.FloatField: (float, NoneType),
}


@dataclass(frozen=True)
class _Column:
    field: Field
    attname: str
    pre_save: bool  # the field may compute its value on insert (auto_now_add …)
    unchanged: tuple[type, ...]
    aware_datetime: bool  # a DateTimeField: aware datetimes go as they are


def _column(field: Field) -> _Column:
    target = (
        field.target_field if type(field) in (models.ForeignKey, models.OneToOneField) else field
    )
    return _Column(
        field=field,
        attname=field.attname,
        pre_save=type(field).pre_save is not Field.pre_save,
        unchanged=_UNCHANGED.get(type(target), ()),
        aware_datetime=type(field) is models.DateTimeField and settings.USE_TZ,
    )


@dataclass(frozen=True)
class _Plan:
    sql: str
    columns: tuple[_Column, ...]
    foreign_keys: tuple[Field, ...]  # forward relations: their ids, from the related objects
    attnames: tuple[str, ...]  # every concrete field, in order (Model.from_db)


@functools.cache
def _plan(model: type[Model], with_pk: bool, vendor: str) -> _Plan:
    meta = model._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if not f.generated and (with_pk or f is not meta.pk)
    )
    quote = connections[router.db_for_write(model)].ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    return _Plan(
        sql=sql,
        columns=tuple(_column(f) for f in fields),
        foreign_keys=tuple(f for f in fields if f.many_to_one or f.one_to_one),
        attnames=tuple(f.attname for f in meta.concrete_fields),
    )


def _take_related_ids(obj: Model, foreign_keys: tuple[Field, ...]) -> None:
    """What ``save()`` checks first: a related object assigned before it had an id gives its
    id now, and an unsaved one is refused (its row would point nowhere)."""
    for field in foreign_keys:
        if getattr(obj, field.attname) is not None:
            continue
        # No query: with the id unset the descriptor only returns an object assigned earlier.
        related = getattr(obj, field.name)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(
                f"insert_together() prohibited to prevent data loss due to unsaved related "
                f"object '{field.name}'."
            )
        setattr(obj, field.name, related)  # sets the id from the object, as save() does


def _values(obj: Model, columns: tuple[_Column, ...], connection: Any) -> Iterator[Any]:
    """What ``save()`` would send for each column (``pre_save``, ``get_db_prep_save``)."""
    for c in columns:
        value = c.field.pre_save(obj, True) if c.pre_save else getattr(obj, c.attname)
        kind = type(value)
        if kind in c.unchanged or (
            c.aware_datetime and kind is dt.datetime and value.tzinfo is not None
        ):
            yield value
        else:
            yield c.field.get_db_prep_save(value, connection)


def insert_together(*objs: Model, using: str | None = None) -> list[Model]:
    """Insert new ``objs`` (in this order) in one statement where :func:`combinable`, else
    one ``save(force_insert=True)`` each (wrap that in a transaction). Ids come back onto
    the objects either way; the answer is the rows as stored: instances loaded as a query
    loads them (``Model.from_db``: not ``adding``, their database known) from the values
    sent, or the saved objects themselves."""
    alias = using or router.db_for_write(type(objs[0]))
    if not combinable(*{type(o) for o in objs}, using=alias):
        for obj in objs:
            obj.save(force_insert=True, using=alias)
        return list(objs)
    connection = connections[alias]
    parts: list[str] = []
    params: list[Any] = []
    plans: list[_Plan] = []
    for n, obj in enumerate(objs):
        plan = _plan(type(obj), obj.pk is not None, connection.vendor)
        _take_related_ids(obj, plan.foreign_keys)
        parts.append(f"r{n} AS ({plan.sql})")
        params.extend(_values(obj, plan.columns, connection))
        plans.append(plan)
    select = ", ".join(f"(SELECT * FROM r{n})" for n in range(len(objs)))
    # Django's own cursor: its values are quoted into the statement on the client (Django's
    # default), a connection error marks the connection for replacement (a restarted
    # database costs the requests in flight, not the next minute's).
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {select}", params)
        ids = cursor.fetchone()
    stored = []
    for obj, plan, pk in zip(objs, plans, ids, strict=True):
        obj.pk = pk
        values = [getattr(obj, name) for name in plan.attnames]
        stored.append(type(obj).from_db(alias, plan.attnames, values))
    return stored


def update_many(
    model: type[Model], objs: list[Model], fields: list[str], using: str | None = None
) -> None:
    """Save ``fields`` of many rows, each with its own values, in one statement per
    ``batch`` (PostgreSQL: ``UPDATE … FROM (VALUES …)``, joined on the primary key).

    Django's ``bulk_update`` builds a ``CASE WHEN pk = … THEN …`` per field and row, whose
    compilation costs more than the update itself for thousands of rows (a holiday notice
    moves the deadlines of tens of thousands of open cases). Other databases take
    ``bulk_update``. Like it, no ``save()``, no signals, no ``auto_now``.
    """
    if not objs:
        return
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model._default_manager.using(alias).bulk_update(objs, fields, batch_size=500)
        return
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(f"CAST(%s AS {c.db_type(connection)})" for c in columns) + ")"
    names = ", ".join(qn(c.column) for c in columns)
    table, key = qn(meta.db_table), qn(meta.pk.column)
    assignments = ", ".join(f"{qn(c.column)} = v.{qn(c.column)}" for c in columns[1:])
    batch = max(1, 30_000 // len(columns))  # well under the 65,535 parameters of a statement
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [
                column.get_db_prep_save(getattr(obj, column.attname), connection)
                for obj in chunk
                for column in columns
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))})"
                f" AS v({names}) WHERE {table}.{key} = v.{key}",
                params,
            )
