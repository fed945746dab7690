"""Numbering reads: previews (which reserve nothing) and per-entity lists."""

import datetime
import functools
import uuid
from typing import NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from erp.exceptions import Conflict, RuleViolation
from erp.models import Entity
from numbering.models import IssuedNumber, NumberingPeriod, Sequence
from numbering.periods import fiscal_year_start_month_of, period_bounds, period_rule
from numbering.rendering import format_template


def sequence_preview(*, sequence: Sequence, date: datetime.date | None = None) -> dict:
    """Return the number the sequence would issue next for a document date; reserve and lock nothing."""
    on = date or timezone.localdate()
    fiscal_start = fiscal_year_start_month_of(sequence)
    bounds = period_bounds(period_rule(sequence, fiscal_year_start_month=fiscal_start), on)
    # A plain read: a period not used yet is not created, its first value is the starting number.
    last = (
        NumberingPeriod.objects.filter(sequence=sequence, start=bounds.start)
        .values_list("last_value", flat=True)
        .first()
    )
    value = sequence.starting_number if last is None else last + 1
    if sequence.ending_number is not None and value > sequence.ending_number:
        raise Conflict(
            f"Sequence {sequence.name!r} is exhausted for {bounds.label}.",
            code="sequence_exhausted",
            param="ending_number",
        )
    template = format_template(
        sequence.format_for_period(bounds.start),
        on=on,
        fiscal_year_start_month=fiscal_start,
        alpha=sequence.is_alpha,
    )
    return {"value": value, "number": template.render(value), "period_label": bounds.label}


def sequence_next_value(sequence: Sequence, on: datetime.date | None = None) -> int:
    """Return the value the next number for a document dated `on` (default today) takes; reserve nothing."""
    bounds = period_bounds(period_rule(sequence), on or timezone.localdate())
    if "periods" in getattr(sequence, "_prefetched_objects_cache", {}):  # a list read: no query per row
        last = next((p.last_value for p in sequence.periods.all() if p.start == bounds.start), None)
    else:
        last = (
            NumberingPeriod.objects.filter(sequence=sequence, start=bounds.start)
            .values_list("last_value", flat=True)
            .first()
        )
    return sequence.starting_number if last is None else last + 1


def sequence_remaining(*, sequence: Sequence, date: datetime.date | None = None) -> int | None:
    """Return how many numbers are left in the period holding `date` (None when unbounded)."""
    if sequence.ending_number is None:
        return None
    return max(0, sequence.ending_number - sequence_next_value(sequence, date) + 1)


def sequences_for_entity(*, entity: Entity) -> QuerySet[Sequence]:
    """Return an entity's sequences, by name."""
    return Sequence.objects.filter(entity=entity).order_by("name")


def sequence_of_entity(*, entity: Entity, pk) -> Sequence | None:
    """Return the entity's sequence with this id, or None (also for an id that is not a UUID).

    What `sequences_for_entity(entity=…).filter(pk=…).first()` returns, without compiling that query
    on every request: issuing reads its sequence this way (docs/benchmarks.md, "HTTP: the API path").
    """
    try:
        pk = pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
    except ValueError:
        return None
    statement = _sequence_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [pk, entity.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        _converted(value, converters) if converters else value
        for value, converters in zip(row, statement.converters, strict=True)
    ]
    return Sequence.from_db(connection.alias, statement.attnames, values)


class _Statement(NamedTuple):
    sql: str
    attnames: list[str]
    converters: list[list]  # per column, what the ORM would apply to the value read (usually nothing)


@functools.cache
def _sequence_statement() -> _Statement:
    """Build the sequence lookup's SQL from the model, once per process."""
    quote = connection.ops.quote_name
    fields = Sequence._meta.concrete_fields
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(Sequence._meta.db_table)}"
        f" WHERE {quote(Sequence._meta.pk.column)} = %s"
        f" AND {quote(Sequence._meta.get_field('entity').column)} = %s"
    )
    converters = [
        connection.ops.get_db_converters(field.cached_col) + field.get_db_converters(connection)
        for field in fields
    ]
    return _Statement(sql=sql, attnames=[f.attname for f in fields], converters=converters)


def _converted(value, converters: list):
    for converter in converters:
        value = converter(value, None, connection)
    return value


def issued_numbers_for_entity(*, entity: Entity) -> QuerySet[IssuedNumber]:
    """Return an entity's issued numbers, newest first, with their sequence and period."""
    return (
        IssuedNumber.objects.filter(entity=entity)
        .select_related("sequence", "period")
        .order_by("-issued_at", "-value")
    )


def periods_for_sequence(*, sequence: Sequence) -> QuerySet[NumberingPeriod]:
    """Return a sequence's periods, oldest first."""
    return NumberingPeriod.objects.filter(sequence=sequence).order_by("start")


def migration_counters(*, entity: Entity, date: datetime.date | None = None) -> list[dict]:
    """Return the entity's counters (sequences bound to a counter type) as the Arcus API shows them."""
    rows = []
    for sequence in (
        sequences_for_entity(entity=entity).filter(counter_type__isnull=False).select_related("entity")
    ):
        try:
            preview = sequence_preview(sequence=sequence, date=date)
            current, next_number = preview["value"] - 1, preview["number"]
        except Conflict:  # exhausted: nothing will be issued next
            current, next_number = sequence.ending_number, None
        except RuleViolation:  # the date is before the first period: no counter runs yet
            current, next_number = None, None
        rows.append(
            {
                "counter_type": sequence.counter_type,
                "sequence_id": sequence.id,
                "current_value": current,
                "prefix": sequence.fixed_prefix,
                "padding": sequence.fixed_length,
                "version": sequence.version,
                "next_issued_preview": next_number,
            }
        )
    return rows
