"""Numbering reads: previews (which reserve nothing) and per-entity lists."""

import datetime
import uuid

from django.db.models import QuerySet
from django.utils import timezone

from erp.exceptions import Conflict, RuleViolation
from erp.models import Entity
from erp.rows import rows_where
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
    found = rows_where(Sequence, "id = %s AND entity_id = %s", [pk, entity.pk])
    return found[0] if found else None


def sequence_of_counter_type(*, entity: Entity, counter_type: str) -> Sequence | None:
    """Return the entity's sequence bound to a counter type ("journal", "invoice", …), or None.

    At most one (the `sequence_unique_counter_type` constraint); read by a statement built once, as
    sequence_of_entity: every document numbered from its counter type reads its sequence this way.
    """
    found = rows_where(Sequence, "entity_id = %s AND counter_type = %s", [entity.pk, counter_type])
    return found[0] if found else None


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
