"""Manual counter moves: advancing a counter (monotonic, recorded) and the Arcus migration advance."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from erp.exceptions import Conflict, FolioError, InvalidInput, RuleViolation
from erp.models import Entity
from erp.services.activity import activity_record
from numbering.models import COUNTER_TYPES, MAX_PREFIX_LENGTH, CounterEvent, NumberingPeriod, Sequence
from numbering.periods import period_bounds, period_rule
from numbering.rendering import render
from numbering.services.configuration import WHOLE_NUMBER_TEXT, advance_cap_check, reason_checked
from numbering.services.locks import period_lock, sequence_busy_on_lock_timeout, sequence_lock
from numbering.services.periods import period_counter_move, period_ensure
from numbering.services.sequences import DEFAULT_PADDING, sequence_create, sequence_version_bump

MIGRATION_REASON = "migration advance"
MAX_PADDING = 12
ROW_FIELDS = ("counter_type", "advance_to", "prefix", "padding")
# A row's prefix and padding become the sequence's fixed_prefix and fixed_length.
_ROW_FIELD_OF = {"fixed_prefix": "prefix", "fixed_length": "padding"}


@transaction.atomic
def counter_advance(
    *,
    sequence: Sequence,
    advance_to: int,
    reason: str,
    actor: str,
    date: datetime.date | None = None,
    refuse_decrement: bool = False,
) -> CounterEvent | None:
    """Move the counter of the period holding `date` up to `advance_to`; never down.

    At the current value it is a no-op (None); below it, a no-op too, or with `refuse_decrement`
    a RuleViolation `decrement_not_allowed` (the migration contract's rule), judged under the lock.
    """
    if isinstance(advance_to, bool) or not isinstance(advance_to, int) or advance_to < 0:
        raise InvalidInput(
            "advance_to must be an integer ≥ 0.", code="invalid_advance_to", param="advance_to"
        )
    reason = reason_checked(reason, action="counter is advanced")
    locked = sequence_lock(sequence)
    bounds = period_bounds(period_rule(locked), date or timezone.localdate())
    counter_advance_check(locked, advance_to)
    existing = (
        NumberingPeriod.objects.filter(sequence=locked, start=bounds.start)
        .values_list("id", flat=True)
        .first()
    )
    if existing is None and advance_to < locked.starting_number:
        if refuse_decrement and advance_to < locked.starting_number - 1:
            raise _decrement(advance_to, locked.starting_number - 1)
        return None  # nothing to skip, and a no-op must not create the period either
    period_id = existing if existing is not None else period_ensure(sequence=locked, bounds=bounds)[0]
    period = period_lock(period_id)
    if refuse_decrement and advance_to < period.last_value:
        raise _decrement(advance_to, period.last_value)
    if advance_to <= period.last_value:
        return None
    event = period_counter_move(
        period=period,
        sequence=locked,
        to=advance_to,
        kind=CounterEvent.Kind.ADVANCE,
        reason=reason,
        actor=actor,
    )
    sequence.version = sequence_version_bump(sequence=locked)
    activity_record(
        action="sequence.counter_advanced",
        obj=locked,
        changes={"counter": [event.value_before, event.value_after], "period": [None, period.label]},
        reason=reason,
    )
    return event


def counter_advance_check(sequence: Sequence, advance_to: int) -> None:
    """Refuse an advance past the sequence's ending number or, without one, past the open-counter cap.

    counter_advance runs it under the sequence's lock; the admin runs it before asking to confirm, so
    it never asks to confirm an advance the service will refuse.
    """
    if sequence.ending_number is not None and advance_to > sequence.ending_number:
        raise RuleViolation(
            f"advance_to {advance_to} is past the sequence's ending number {sequence.ending_number}.",
            code="advance_beyond_end",
            param="advance_to",
        )
    advance_cap_check(sequence, advance_to, param="advance_to")


def _decrement(advance_to: int, current: int) -> RuleViolation:
    return RuleViolation(
        f"advance_to {advance_to} is below the counter's current value {current}: decrement not allowed.",
        code="decrement_not_allowed",
        param="advance_to",
    )


@transaction.atomic
def migration_counters_advance(*, entity: Entity, rows: list[dict], actor: str) -> dict:
    """Advance (or create) counters by counter_type, each row on its own (docs/contracts.md)."""
    if not isinstance(rows, list | tuple):
        raise InvalidInput("counters must be a list.", code="invalid_counters", param="counters")
    results = [_migration_row(entity, row, actor) for row in rows]
    failed = sum(1 for result in results if "error" in result)
    return {
        "object": "migration_counter_advance_result",
        "total": len(results),
        "succeeded": len(results) - failed,
        "failed": failed,
        "results": results,
    }


def _migration_row(entity: Entity, row, actor: str) -> dict:
    counter_type = row.get("counter_type") if isinstance(row, dict) else None
    if not isinstance(counter_type, str):
        counter_type = None  # echo only what the result row documents
    try:
        return _migration_row_in_savepoint(entity, row, actor)
    except FolioError as error:
        return {
            "counter_type": counter_type,
            "previous_value": None,
            "current_value": None,
            "prefix": None,
            "padding": None,
            "version": None,
            "advanced": False,
            "next_issued_preview": None,
            "error": error.message,
            "code": error.code,
            "param": _row_param(error),
        }


def _migration_row_in_savepoint(entity: Entity, row, actor: str) -> dict:
    """Apply a row in a savepoint of its own: a failing row rolls back only itself.

    Two requests creating the same counter at once: the later insert waits for the earlier one's
    commit and then violates the unique counter type; its savepoint is rolled back and the row runs
    again, finding the counter now committed and advancing it (or reporting why not).
    """
    try:
        return _migration_row_once(entity, row, actor)
    except (IntegrityError, Conflict) as error:
        if isinstance(error, Conflict) and not isinstance(error.__cause__, IntegrityError):
            raise  # a refusal of the rules, not a lost race
        # Another request created the counter first: it is committed now, run the row again.
    try:
        return _migration_row_once(entity, row, actor)
    except IntegrityError:
        raise Conflict(
            "The counter was changed by a concurrent request; retry this row.", code="concurrent_update"
        ) from None


def _migration_row_once(entity: Entity, row, actor: str) -> dict:
    with transaction.atomic(), sequence_busy_on_lock_timeout():
        return _migration_row_apply(entity, row, actor)


def _row_param(error: FolioError) -> str:
    """Name the row's field an error is about, the same in the single and the batch form."""
    # An error about the row or its counter as a whole (not an object, a sequence name taken, today
    # outside the counter's periods, a busy counter) names counter_type, the row's key.
    param = _ROW_FIELD_OF.get(error.param, error.param)
    return param if param in ROW_FIELDS else "counter_type"


def _migration_row_apply(entity: Entity, row, actor: str) -> dict:
    if not isinstance(row, dict):
        raise InvalidInput("Each counter must be an object.", code="invalid_row")
    counter_type = row.get("counter_type")
    if counter_type not in COUNTER_TYPES:
        raise InvalidInput(
            f"counter_type must be one of: {', '.join(COUNTER_TYPES)}.",
            code="invalid_counter_type",
            param="counter_type",
        )
    advance_to = _whole_number(row.get("advance_to"), "advance_to", "invalid_advance_to", minimum=0)
    if advance_to is None:
        raise InvalidInput("advance_to is required.", code="invalid_advance_to", param="advance_to")
    padding = _whole_number(row.get("padding"), "padding", "invalid_padding", minimum=1, maximum=MAX_PADDING)
    prefix = row.get("prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise InvalidInput("prefix must be a string.", code="invalid_prefix", param="prefix")
    if prefix and len(prefix) > MAX_PREFIX_LENGTH:
        raise InvalidInput(
            f"prefix is longer than {MAX_PREFIX_LENGTH} characters.", code="prefix_too_long", param="prefix"
        )
    sequence = Sequence.objects.filter(entity=entity, counter_type=counter_type).first()
    if sequence is None:
        if prefix is None:  # "" is a prefix: the counter prints bare numbers
            raise InvalidInput(
                f"This entity has no {counter_type!r} counter yet: give a prefix to create it.",
                code="prefix_required",
                param="prefix",
            )
        sequence = sequence_create(
            entity=entity,
            name=counter_type,
            print_title=counter_type.replace("_", " ").title(),
            counter_type=counter_type,
            fixed_prefix=prefix,
            fixed_length=DEFAULT_PADDING if padding is None else padding,
            actor=actor,
        )
    sequence.entity = entity
    today = timezone.localdate()
    previous = _current_value(sequence, today)
    event = counter_advance(
        sequence=sequence,
        advance_to=advance_to,
        reason=MIGRATION_REASON,
        actor=actor,
        date=today,
        refuse_decrement=True,
    )
    current = advance_to if event is not None else previous
    return {
        "counter_type": counter_type,
        "previous_value": previous,
        "current_value": current,
        "prefix": sequence.fixed_prefix,
        "padding": sequence.fixed_length,
        "version": sequence.version,
        "advanced": event is not None,
        "next_issued_preview": render(
            sequence.effective_format,
            value=current + 1,
            on=today,
            fiscal_year_start_month=entity.fiscal_year_start_month,
            alpha=sequence.is_alpha,
        ),
    }


def _current_value(sequence: Sequence, on: datetime.date) -> int:
    """Return the last value taken in the period holding `on` (starting_number - 1 if none yet)."""
    bounds = period_bounds(period_rule(sequence), on)
    last = (
        NumberingPeriod.objects.filter(sequence=sequence, start=bounds.start)
        .values_list("last_value", flat=True)
        .first()
    )
    return sequence.starting_number - 1 if last is None else last


def _whole_number(value, param: str, code: str, *, minimum: int, maximum: int = 2**63 - 1) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and WHOLE_NUMBER_TEXT.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(f"{param} must be an integer from {minimum} to {maximum}.", code=code, param=param)
    return value
