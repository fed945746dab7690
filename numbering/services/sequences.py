"""Sequences: create, update (PATCH semantics, optimistic version), delete, the defaults per entity."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput
from erp.models import Entity
from erp.services.activity import (
    activity_record,
    changes_between,
    created,
    deleted,
    fields_of,
    recorded_fields,
)
from numbering.models import IssuedNumber, NumberingPeriod, Sequence
from numbering.periods import ALL_DATES
from numbering.services.configuration import (
    CREATE_ONLY_FIELDS,
    STRUCTURAL_FIELDS,
    sequence_fields_apply,
    sequence_validate,
)
from numbering.services.locks import sequence_lock
from numbering.services.periods import periods_configure, sequence_next_set

# Arcus-shaped on purpose (docs/contracts.md): prefix + 7 digits, no separator, never reset. A migration's
# next_issued_preview (prefix + value padded to 7) is then exactly what the sequence prints.
DEFAULT_SEQUENCES = [
    ("Invoice", "invoice", "INV"),
    ("Vendor Bill", "vendor_bill", "BILL"),
    ("Vendor Credit", "vendor_credit", "VC"),
    ("AP Payment", "ap_payment", "APP"),
    ("Journal Entry", "journal", "JE"),
]
DEFAULT_PADDING = 7


@transaction.atomic
def sequence_create(
    *,
    entity: Entity,
    fiscal_years: list | None = None,
    numberings: list | None = None,
    next_number: int | None = None,
    next_sequence: str | None = None,
    actor: str = "",
    **fields,
) -> Sequence:
    """Create a sequence from model field values, optionally with its first periods and next number."""
    sequence = Sequence(entity=entity, created_by=actor, modified_by=actor)
    sequence_fields_apply(sequence, fields)
    if sequence.reset == Sequence.Reset.CUSTOM and sequence.period_anchor is None:
        sequence.period_anchor = _anchor_for(numberings)
    sequence_validate(sequence, fiscal_year_start_month=entity.fiscal_year_start_month)
    if sequence.reset == Sequence.Reset.FISCAL_YEAR:
        sequence.rollover_enabled_date = timezone.localdate()
    _check_unique(sequence)
    try:
        with transaction.atomic():
            sequence.save()
    except IntegrityError as error:
        # A concurrent create of the same name or id committed between the check and this insert.
        raise _taken_concurrently(error, sequence) from error
    events = periods_configure(
        sequence=sequence, fiscal_years=fiscal_years, numberings=numberings, actor=actor
    )
    if _given(next_number) or _given(next_sequence):
        events.append(
            sequence_next_set(
                sequence=sequence,
                next_number=next_number,
                next_sequence=next_sequence,
                actor=actor,
                reason="next number given when the sequence was created",
            )
        )
    changes = created(sequence, recorded_fields(Sequence))
    if any(events):
        # Where the counters start (a migration's next number, the periods given) is part of the creation.
        changes["counters"] = [None, [_event_summary(event) for event in events if event]]
    activity_record(action="sequence.created", obj=sequence, changes=changes)
    return sequence


@transaction.atomic
def sequence_update(
    *,
    sequence: Sequence,
    expected_version: int | None = None,
    actor: str,
    fiscal_years: list | None = None,
    numberings: list | None = None,
    next_number: int | None = None,
    next_sequence: str | None = None,
    reason: str = "",
    **fields,
) -> Sequence:
    """Change the given fields only; a stale expected_version is refused; every change bumps version.

    A sequence that never resets may start resetting after it has numbered documents (Intacct's
    rollover enabled later): documents dated from today use the new periods, earlier ones keep the
    old counter (reset_from). Every other change to how periods are cut is refused once used.
    """
    locked = sequence_lock(sequence)
    if expected_version is not None and expected_version != locked.version:
        raise Conflict(
            f"The sequence is at version {locked.version}, not {expected_version}: reload and retry.",
            code="version_mismatch",
            param="version",
        )
    was_reset, was_affix = locked.reset, locked.fiscal_year_affix
    before = fields_of(locked, recorded_fields(Sequence))
    changed = sequence_fields_apply(locked, fields)
    for name in CREATE_ONLY_FIELDS:
        if name in changed:
            raise InvalidInput(f"{name} is set when the sequence is created.", code="read_only", param=name)
    structural = [name for name in changed if name in STRUCTURAL_FIELDS]
    starts_resetting = was_reset == Sequence.Reset.NEVER and locked.reset != Sequence.Reset.NEVER
    if starts_resetting and locked.reset == Sequence.Reset.CUSTOM and locked.period_anchor is None:
        locked.period_anchor = _anchor_for(numberings)
        changed.append("period_anchor")
    frozen = structural and not (starts_resetting and "type" not in structural)
    if frozen and IssuedNumber.objects.filter(sequence=locked).exists():
        raise Conflict(
            f"{structural[0]} cannot change once the sequence has issued numbers; create a new "
            "sequence instead.",
            code="sequence_in_use",
            param=structural[0],
        )
    # The counter the sequence had while it never reset: it goes on numbering earlier documents.
    old_counter = (
        starts_resetting and NumberingPeriod.objects.filter(sequence=locked, start=ALL_DATES[0]).exists()
    )
    _check_old_numbers_cannot_recur(locked, old_counter=old_counter, was_affix=was_affix)
    changed += sequence_validate(locked, fiscal_year_start_month=locked.entity.fiscal_year_start_month)
    _check_starting_number_applies(locked, before=before["starting_number"])
    if starts_resetting:
        changed += _reset_started(locked, old_counter=old_counter)
    if {"name", "counter_type", "portos_id"} & set(changed):
        _check_unique(locked)
    events = periods_configure(sequence=locked, fiscal_years=fiscal_years, numberings=numberings, actor=actor)
    if _given(next_number) or _given(next_sequence):
        events.append(
            sequence_next_set(
                sequence=locked,
                next_number=next_number,
                next_sequence=next_sequence,
                actor=actor,
                reason=reason or "next number changed by an update of the sequence",
            )
        )
    if changed or any(events):
        locked.version += 1
        locked.modified_by = actor
        locked.save(update_fields=sorted({*changed, "version", "modified_by", "updated_at"}))
        changes = changes_between(before, fields_of(locked, recorded_fields(Sequence)))
        if any(events):
            changes["counters"] = [None, [_event_summary(event) for event in events if event]]
        activity_record(action="sequence.updated", obj=locked, changes=changes, reason=reason)
    return locked


def _check_starting_number_applies(sequence: Sequence, *, before: int) -> None:
    """Refuse a new starting number that could apply to nothing: 409 `starting_number_in_use`.

    A sequence that never resets has one counter; once it exists (a number issued, a counter advanced
    or set), a new starting number would be saved and change nothing. Accepting it would say "done"
    and do nothing, so every channel (API, dialects, admin) is told how to get what it meant instead.
    """
    if sequence.starting_number == before or sequence.reset != Sequence.Reset.NEVER:
        return
    if not NumberingPeriod.objects.filter(sequence=sequence).exists():
        return
    alpha = sequence.type == Sequence.Type.ALPHA
    raise Conflict(
        "This sequence never resets and its counter has started: a new starting number would change "
        "nothing. To skip numbers, advance the counter (next_number); to start again from another number, "
        "create a new sequence.",
        code="starting_number_in_use",
        param="starting_sequence" if alpha else "starting_number",
    )


def _event_summary(event) -> dict:
    """Return what a counter event changed, for the activity log."""
    return {
        "kind": event.kind,
        "period": str(event.period_id),
        "from": event.value_before,
        "to": event.value_after,
    }


def _check_old_numbers_cannot_recur(sequence: Sequence, *, old_counter: bool, was_affix: str) -> None:
    """Refuse a change after which a new period could print a number the sequence already printed.

    Rollover may be enabled on a used sequence only as a structured layout that printed no fiscal year
    and now prints one (prefix or suffix): every new number then carries its fiscal year and no old
    one does. Any other reset rule would restart counters over dates the old counter already printed
    (a format string's dates, a fiscal year already printed, or no affix at all). For the same reason a
    sequence that keeps its old counter (reset_from) cannot drop its fiscal-year affix.
    """
    none = Sequence.FiscalYearAffix.NONE
    if old_counter:
        allowed = (
            sequence.reset == Sequence.Reset.FISCAL_YEAR
            and not sequence.format
            and was_affix == none
            and sequence.fiscal_year_affix != none
        )
        if not allowed:
            raise Conflict(
                "A sequence that has numbered documents can start resetting only as a fiscal-year rollover "
                "with the fiscal year as a prefix or suffix, so that no new number repeats an earlier "
                "one; create a new sequence for another rule.",
                code="sequence_in_use",
                param="reset",
            )
    elif sequence.reset_from is not None and sequence.fiscal_year_affix == none:
        raise Conflict(
            "This sequence keeps its numbers from before rollover, which print no fiscal year: its new "
            "numbers must keep printing theirs.",
            code="sequence_in_use",
            param="fiscal_year_affix",
        )


def _reset_started(sequence: Sequence, *, old_counter: bool) -> list[str]:
    """Date a sequence's first reset rule; a used counter keeps the documents dated before today.

    The old counter's numbers print without the fiscal-year affix (Sequence.format_for_period), the new
    periods' with it (_check_old_numbers_cannot_recur), so the two never print the same number.
    """
    today = timezone.localdate()
    derived = []
    if sequence.reset == Sequence.Reset.FISCAL_YEAR and sequence.rollover_enabled_date is None:
        sequence.rollover_enabled_date = today
        derived.append("rollover_enabled_date")
    if old_counter:
        sequence.reset_from = today
        derived.append("reset_from")
    return derived


def _anchor_for(numberings) -> datetime.date:
    """Return where custom periods are counted from: the earliest period given, else 1 January."""
    starts = []
    for entry in numberings or []:
        start = entry.get("start") if isinstance(entry, dict) else None
        if isinstance(start, datetime.datetime):
            start = start.date()
        # The non-resetting counter some clients send back (startAt 0001-01-01) anchors nothing.
        if isinstance(start, datetime.date) and start != ALL_DATES[0]:
            starts.append(start)
    return min(starts) if starts else datetime.date(timezone.localdate().year, 1, 1)


def _given(value) -> bool:
    return value is not None and value != ""


@transaction.atomic
def sequence_delete(*, sequence: Sequence) -> None:
    """Delete a sequence that never issued a number (otherwise deactivate it)."""
    locked = sequence_lock(sequence)
    if IssuedNumber.objects.filter(sequence=locked).exists():
        raise Conflict(
            "This sequence has issued numbers and cannot be deleted; set its status to inactive.",
            code="sequence_in_use",
        )
    # What was deleted stays readable in the log: every recorded field, from its value to nothing.
    activity_record(action="sequence.deleted", obj=locked, changes=deleted(locked, recorded_fields(Sequence)))
    locked.delete()


def sequence_version_bump(*, sequence: Sequence) -> int:
    """Record a change of a sequence's counters on its version and return the new version."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE numbering_sequence SET version = version + 1, updated_at = %s WHERE id = %s "
            "RETURNING version",
            [timezone.now(), sequence.pk],
        )
        sequence.version = cursor.fetchone()[0]
    return sequence.version


@transaction.atomic
def sequences_create_defaults(*, entity: Entity) -> list[Sequence]:
    """Create the entity's default sequences for the documents Folio numbers (skipping existing ones)."""
    taken = set(Sequence.objects.filter(entity=entity).values_list("counter_type", flat=True))
    created = []
    for name, counter_type, prefix in DEFAULT_SEQUENCES:
        if counter_type in taken:
            continue
        created.append(
            sequence_create(
                entity=entity,
                name=name,
                print_title=name,
                counter_type=counter_type,
                fixed_prefix=prefix,
                fixed_length=DEFAULT_PADDING,
            )
        )
    return created


@transaction.atomic
def sequences_create_demo(*, entity: Entity) -> list[Sequence]:
    """Add two showcase sequences to the demo entity: a monthly format string and a fiscal-year rollover."""
    return [
        sequence_create(
            entity=entity,
            name="Stock Transfer",
            print_title="Stock Transfer",
            format="T-{yyyy}{MM}{i4}",
            reset=Sequence.Reset.MONTH,
            counter_type="transfer",
            stock_transfer_type="Transfer",
        ),
        sequence_create(
            entity=entity,
            name="Purchase Order",
            print_title="Purchase Order",
            fixed_prefix="PO",
            prefix_separator="-",
            fixed_length=4,
            fiscal_year_affix=Sequence.FiscalYearAffix.PREFIX,
            fiscal_year_separator="-",
            reset=Sequence.Reset.FISCAL_YEAR,
            counter_type="po",
        ),
    ]


_UNIQUE_CONFLICTS = {
    "sequence_unique_name": ("sequence_name_taken", "name"),
    "sequence_unique_portos_id": ("portos_id_taken", "portos_id"),
    "sequence_unique_counter_type": ("counter_type_taken", "counter_type"),
}


def _taken_concurrently(error: IntegrityError, sequence: Sequence) -> Exception:
    """Return the refusal _check_unique would have given, for a unique key a concurrent writer took."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if constraint not in _UNIQUE_CONFLICTS:
        return error
    code, param = _UNIQUE_CONFLICTS[constraint]
    return Conflict(
        f"Another sequence took this {param} ({getattr(sequence, param)!r}) meanwhile.",
        code=code,
        param=param,
    )


def _check_unique(sequence: Sequence) -> None:
    others = Sequence.objects.filter(entity_id=sequence.entity_id).exclude(pk=sequence.pk)
    if others.filter(name=sequence.name).exists():
        raise Conflict(
            f"A sequence named {sequence.name!r} already exists.", code="sequence_name_taken", param="name"
        )
    if others.filter(portos_id=sequence.portos_id).exists():
        raise Conflict(
            f"Another sequence already has the PORTOS id {sequence.portos_id}.",
            code="portos_id_taken",
            param="portos_id",
        )
    if sequence.counter_type and others.filter(counter_type=sequence.counter_type).exists():
        raise Conflict(
            f"Another sequence already numbers {sequence.counter_type!r} documents.",
            code="counter_type_taken",
            param="counter_type",
        )
