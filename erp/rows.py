"""Rows read and written by statements built once per process: what the ORM would run, uncompiled.

On the hot API paths (the key lookup, issuing's sequence, a payment's parties, entries and lines) the ORM
spent more CPU building a one-row statement than PostgreSQL spent running it (docs/benchmarks.md, "HTTP:
the API path" and "HTTP: multi-invoice-apply"). Only the statement's text is cached, never a row.
"""

import functools
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


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
    if any(select.converters):
        rows = [converted(row, select.converters) for row in rows]
    return instances_loaded(model, select.attnames, rows)


def instances_loaded[M: models.Model](
    model: type[M], attnames: Sequence[str], rows: Iterable[Sequence]
) -> list[M]:
    """Return rows read from the database (a value per concrete field, in `attnames` order) as instances.

    The same instances `model.from_db` builds, at a fifth of its cost: Model.__init__ sets each value
    through the field's attribute and sends pre_init and post_init for every row (a payment's 50
    applications: ~0.4 ms). With no receiver of either signal connected (Folio connects none; a
    library that does gets `from_db` itself), an instance loaded from the database is exactly its state
    and its fields' values in `__dict__`: tests/erp/test_rows.py compares the two.
    """
    alias, fields = connection.alias, model._meta.concrete_fields
    if len(attnames) != len(fields):
        raise ValueError(f"{model.__name__}: a value for each of its {len(fields)} fields")
    if pre_init.receivers or post_init.receivers:
        position = {attname: index for index, attname in enumerate(attnames)}
        order = [position[field.attname] for field in fields]
        return [model.from_db(alias, None, [row[i] for i in order]) for row in rows]
    new, loaded = object.__new__, []
    for row in rows:
        instance = new(model)
        state = instance._state = ModelState()
        state.adding, state.db = False, alias
        instance.__dict__.update(zip(attnames, row, strict=True))
        loaded.append(instance)
    return loaded


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


@functools.cache
def _update(model: type[models.Model], attnames: tuple[str, ...]) -> tuple[str, list]:
    """Build `UPDATE <table> SET <columns> = %s WHERE <pk> = %s` for `model`, once per process."""
    quote, meta = connection.ops.quote_name, model._meta
    fields = [meta.get_field(attname) for attname in attnames]
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    return f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s", fields


def row_update(model: type[models.Model], pk, **values) -> int:
    """Write `values` (attname: value) to one row, as `model.objects.filter(pk=pk).update(**values)` would.

    Like the ORM's update() it sets nothing else (no auto_now) and sends no signal; it returns how many
    rows it wrote (0 or 1).
    """
    sql, fields = _update(model, tuple(values))
    pairs = zip(fields, values.values(), strict=True)
    params = [field.get_db_prep_save(value, connection) for field, value in pairs]
    params.append(model._meta.pk.get_db_prep_save(pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def prefetched(instance: models.Model, **relations: list) -> None:
    """Hold `rows` as `instance.<relation>`'s prefetched rows, as prefetch_related leaves them.

    A QuerySet of the relation whose results are the rows given: `.all()` and iterating read them with no
    query; any other method (`.get()`, `.filter()`) queries the database, as after a real prefetch.
    """
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in relations.items():
        cache.pop(name, None)
        queryset = getattr(instance, name).get_queryset()
        queryset._result_cache, queryset._prefetch_done = list(rows), True
        cache[name] = queryset
