"""Rows read and written by statements built once per process: what the ORM would run, uncompiled.

On the hot API paths (the key lookup, issuing's sequence, a payment's parties, entries and lines) the ORM
spent more CPU building a one-row statement than PostgreSQL spent running it (docs/benchmarks.md, "HTTP:
the API path" and "HTTP: multi-invoice-apply"). Only the statement's text is cached, never a row.
"""

import functools
from typing import NamedTuple

from django.db import connection, models


class _Select(NamedTuple):
    sql: str
    attnames: list[str]
    converters: list[list]  # per column, what the ORM would apply to the value read (usually nothing)


def db_converters(fields) -> list[list]:
    """Return, per field, the converters the ORM applies to a value it reads (usually none)."""
    return [
        connection.ops.get_db_converters(field.cached_col) + field.get_db_converters(connection)
        for field in fields
    ]


@functools.cache
def _select(model: type[models.Model], where: str) -> _Select:
    """Build `SELECT <every column> FROM <table> WHERE <where>` for `model`, once per process."""
    quote, fields = connection.ops.quote_name, model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {where}"
    return _Select(sql, [field.attname for field in fields], db_converters(fields))


def rows_where[M: models.Model](model: type[M], where: str, params: list) -> list[M]:
    """Return `model`'s rows matching `where` (fixed SQL text with %s placeholders) as instances."""
    select = _select(model, where)
    with connection.cursor() as cursor:
        cursor.execute(select.sql, params)
        rows = cursor.fetchall()
    return [
        model.from_db(connection.alias, select.attnames, converted(row, select.converters)) for row in rows
    ]


def converted(row, converters: list[list]) -> list:
    """Return a row's values as the ORM would hand them to the model (db_converters applied)."""
    values = list(row)
    for index, column_converters in enumerate(converters):
        for converter in column_converters:
            values[index] = converter(values[index], None, connection)
    return values


class _Insert(NamedTuple):
    sql: str
    fields: list  # the columns written, in order
    returning: list  # the columns the database assigns (an auto id), read back


@functools.cache
def _insert(model: type[models.Model], count: int) -> _Insert:
    """Build the INSERT of `count` rows of `model` with every column but the database-assigned ones, once."""
    quote, concrete = connection.ops.quote_name, model._meta.concrete_fields
    fields = [field for field in concrete if not field.db_returning]
    returning = [field for field in concrete if field.db_returning]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * count)}"
    )
    if returning:
        sql += f" RETURNING {', '.join(quote(f.column) for f in returning)}"
    return _Insert(sql, fields, returning)


def rows_insert[M: models.Model](instances: list[M]) -> list[M]:
    """Insert new instances of one model in one statement, as `bulk_create` would; return them, saved.

    Field defaults and `auto_now_add` are applied as the ORM applies them (`pre_save`); the columns the
    database assigns are read back. No signal is sent: Folio connects none to its ledger models.
    """
    model = type(instances[0])
    insert = _insert(model, len(instances))
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection)
        for instance in instances
        for field in insert.fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(insert.sql, params)
        assigned = cursor.fetchall() if insert.returning else []
    for index, instance in enumerate(instances):
        for field, value in zip(insert.returning, assigned[index] if assigned else (), strict=False):
            setattr(instance, field.attname, value)
        instance._state.adding, instance._state.db = False, connection.alias
    return instances
