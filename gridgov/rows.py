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
    connection = connections[using or router.db_for_write(model)]
    connection.ensure_connection()
    # Straight on psycopg's connection: Django's cursor wrapper costs more than this query.
    # nextval() is outside any transaction's rollback anyway.
    return connection.connection.execute(_next_id_sql(connection.alias, model)).fetchone()[0]


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


@functools.cache
def _plan(model: type[Model], with_pk: bool, vendor: str) -> tuple[str, tuple[_Column, ...]]:
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
    return sql, tuple(_column(f) for f in fields)


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


def insert_together(*objs: Model, using: str | None = None) -> None:
    """Insert new ``objs`` (in this order) in one statement where :func:`combinable`, else
    one ``save(force_insert=True)`` each (wrap that in a transaction). Ids come back onto
    the objects either way."""
    alias = using or router.db_for_write(type(objs[0]))
    if not combinable(*{type(o) for o in objs}, using=alias):
        for obj in objs:
            obj.save(force_insert=True, using=alias)
        return
    connection = connections[alias]
    parts: list[str] = []
    params: list[Any] = []
    for n, obj in enumerate(objs):
        obj._prepare_related_fields_for_save(operation_name="save")
        sql, columns = _plan(type(obj), obj.pk is not None, connection.vendor)
        parts.append(f"r{n} AS ({sql})")
        params.extend(_values(obj, columns, connection))
    select = ", ".join(f"(SELECT * FROM r{n})" for n in range(len(objs)))
    with _server_binding_cursor(connection) as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {select}", params)
        ids = cursor.fetchone()
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _server_binding_cursor(connection: Any) -> Any:
    """A cursor that sends the values apart from the statement (as Django does with the
    ``server_side_binding`` option), and converts the statement's placeholders once per
    process. Django's default cursor quotes every value into the SQL text in Python; and
    psycopg re-parses a statement of more than 50 values or 4 kB on every execution (its cache
    is sized for statements of varying shapes), which for the ~80 values of a report cost more
    than the rest of the write. The statements here have one shape per kind of write, so the
    cache holds a few. (They are not prepared on the server: Django turns psycopg's automatic
    preparation off, as connection poolers in transaction mode need.)"""
    connection.ensure_connection()
    return connection._prepare_cursor(_cursor_class()(connection.connection))


@functools.cache
def _cursor_class() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    try:  # psycopg's own conversion, cached per statement text (psycopg 3.1 to 3.3)
        from psycopg._queries import PostgresQuery, _query2pg_nocache
    except ImportError:  # a psycopg that moved it: uncached, as psycopg does
        return ServerBindingCursor

    converted = functools.lru_cache(maxsize=64)(_query2pg_nocache)

    class FixedShapeQuery(PostgresQuery):
        def convert(self, query: Any, vars: Any) -> None:
            if isinstance(query, str) and vars is not None:
                try:
                    self.query, self._want_formats, self._order, self._parts = converted(
                        query.encode(self._tx.encoding), self._tx.encoding
                    )
                except (AttributeError, TypeError, ValueError):  # a psycopg that changed
                    pass  # (gridgov/tests/test_rows.py compares with psycopg's own result)
                else:
                    self.dump(vars)
                    return
            super().convert(query, vars)

    class FixedShapeCursor(ServerBindingCursor):
        _query_cls = FixedShapeQuery

    return FixedShapeCursor


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
