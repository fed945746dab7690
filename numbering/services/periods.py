"""Numbering periods in the database: created on first use or configured ahead with a next number."""

import dataclasses
import datetime

from django.db import connection, transaction
from django.utils import timezone

from erp.exceptions import Conflict, FolioError, InvalidInput, RuleViolation
from erp.services.activity import activity_record
from numbering.models import CounterEvent, NumberingPeriod, Sequence
from numbering.periods import ALL_DATES, PeriodBounds, period_bounds, period_rule
from numbering.services.configuration import WHOLE_NUMBER_TEXT, next_value_from
from numbering.services.locks import (
    lock_timeout_sql,
    period_lock,
    sequence_busy_on_lock_timeout,
    sequence_lock,
)

# The most `fiscal_years` or `numberings` entries one call configures.
MAX_PERIOD_ENTRIES = 100

_ENSURE_SQL = """
INSERT INTO numbering_numberingperiod
    (sequence_id, entity_id, start, "end", label, start_value, last_value, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (sequence_id, start) DO NOTHING
RETURNING id
"""


def period_ensure(
    *,
    sequence: Sequence,
    bounds: PeriodBounds,
    start_value: int | None = None,
    created_at: datetime.datetime | None = None,
) -> tuple[int, bool]:
    """Create a sequence's period unless it exists; return (period id, created).

    Safe under concurrency: a racing creator waits for the first one's transaction, then finds its
    row (or, if that transaction rolled back, creates it).
    """
    value = sequence.starting_number if start_value is None else start_value
    with sequence_busy_on_lock_timeout(), connection.cursor() as cursor:
        cursor.execute(lock_timeout_sql())
        cursor.execute(
            _ENSURE_SQL,
            [
                sequence.pk,
                sequence.entity_id,
                bounds.start,
                bounds.end,
                bounds.label,
                value,
                value - 1,
                created_at or timezone.now(),
            ],
        )
        row = cursor.fetchone()
        if row is not None:
            return row[0], True
        cursor.execute(
            "SELECT id FROM numbering_numberingperiod WHERE sequence_id = %s AND start = %s",
            [sequence.pk, bounds.start],
        )
        return cursor.fetchone()[0], False


def period_set_next(
    *,
    sequence: Sequence,
    bounds: PeriodBounds,
    next_value: int,
    actor: str,
    param: str,
    created_at: datetime.datetime | None = None,
) -> CounterEvent | None:
    """Make `next_value` the next value of a period: create it there, or move its counter forward."""
    period_id, created = period_ensure(
        sequence=sequence, bounds=bounds, start_value=next_value, created_at=created_at
    )
    if created:
        return _period_created_event(sequence, period_id, bounds, start_value=next_value, actor=actor)
    period = period_lock(period_id)
    target = next_value - 1
    if target == period.last_value:
        return None
    if target < period.last_value:
        raise RuleViolation(
            f"Period {period.label} has already reached {period.last_value}; its next number can only "
            f"move forward (to {period.last_value + 1} or later).",
            code="counter_decrement",
            param=param,
        )
    return period_counter_move(
        period=period,
        sequence=sequence,
        to=target,
        kind=CounterEvent.Kind.EDIT,
        reason=f"next number of {period.label} set to {next_value}",
        actor=actor,
    )


def period_counter_move(
    *, period: NumberingPeriod, sequence: Sequence, to: int, kind: str, reason: str, actor: str
) -> CounterEvent:
    """Move a locked period's counter forward and record the values it skips."""
    before = period.last_value
    NumberingPeriod.objects.filter(pk=period.pk).update(last_value=to)
    period.last_value = to
    return CounterEvent.objects.create(
        entity_id=sequence.entity_id,
        sequence=sequence,
        period=period,
        kind=kind,
        value_before=before,
        value_after=to,
        reason=reason,
        actor=actor,
    )


def periods_configure(
    *, sequence: Sequence, fiscal_years: list | None, numberings: list | None, actor: str
) -> list[CounterEvent]:
    """Apply Intacct `fiscal_years` and PORTOS `numberings` entries to a sequence's periods."""
    # A period of the new rule may begin before reset_from (today's, when the rule started today):
    # it is cut by the rule itself; only a period wholly before reset_from is the old counter's.
    rule = dataclasses.replace(period_rule(sequence), reset_from=None)
    events = []
    if fiscal_years:
        if sequence.reset != Sequence.Reset.FISCAL_YEAR:
            raise InvalidInput(
                "fiscal_years apply only to sequences that reset every fiscal year (rollover).",
                code="rollover_not_enabled",
                param="fiscal_years",
            )
        _require_list(fiscal_years, "fiscal_years")
        seen = set()
        for index, entry in enumerate(fiscal_years):
            param = f"fiscal_years[{index}]"
            year = _entry_int(entry, "fiscal_year", param, minimum=1, maximum=9998)
            if year in seen:
                raise InvalidInput(
                    f"Fiscal year {year} is listed twice.",
                    code="duplicate_fiscal_year",
                    param=f"{param}.fiscal_year",
                )
            seen.add(year)
            month = rule.fiscal_year_start_month
            first_day = datetime.date(year if month == 1 else year - 1, month, 1)
            bounds = _bounds_for(rule, first_day, f"{param}.fiscal_year", reset_from=sequence.reset_from)
            events.append(_entry_apply(sequence, bounds, entry, param, actor=actor))
    if numberings:
        _require_list(numberings, "numberings")
        for index, entry in enumerate(numberings):
            param = f"numberings[{index}]"
            start = _entry_date(entry, "start", param)
            if sequence.reset_from is not None and start == ALL_DATES[0]:
                bounds = PeriodBounds(*ALL_DATES, "all")  # the old counter, kept for earlier documents
            else:
                bounds = _bounds_for(rule, start, f"{param}.start", reset_from=sequence.reset_from)
            if bounds.start != start:
                raise InvalidInput(
                    f"{start.isoformat()} is not the first day of a period of this sequence "
                    f"(its period is {bounds.label}, starting {bounds.start.isoformat()}).",
                    code="period_mismatch",
                    param=f"{param}.start",
                )
            end = entry.get("end")
            if end not in (None, "") and _entry_date(entry, "end", param) != bounds.end:
                raise InvalidInput(
                    f"The period starting {start.isoformat()} ends {bounds.end.isoformat()}.",
                    code="period_mismatch",
                    param=f"{param}.end",
                )
            events.append(_entry_apply(sequence, bounds, entry, param, actor=actor))
    return [event for event in events if event is not None]


@transaction.atomic
def period_create(
    *, sequence: Sequence, start: datetime.date, next_number: int | None = None, actor: str = ""
) -> NumberingPeriod:
    """Create the period of a sequence beginning on `start`, optionally with its next number."""
    # Locked and versioned like sequence_update: a configured period is a change of the sequence.
    locked = sequence_lock(sequence)
    rule = dataclasses.replace(period_rule(locked), reset_from=None)
    bounds = _bounds_for(rule, start, "start", reset_from=locked.reset_from)
    if bounds.start != start:
        raise InvalidInput(
            f"{start.isoformat()} is not the first day of a period "
            f"(that period starts {bounds.start.isoformat()}).",
            code="period_mismatch",
            param="start",
        )
    value = (
        locked.starting_number
        if next_number is None
        else next_value_from({"next_number": next_number}, locked)
    )
    period_id, created = period_ensure(sequence=locked, bounds=bounds, start_value=value)
    if not created:
        raise Conflict(f"Period {bounds.label} already exists.", code="period_exists", param="start")
    _period_created_event(locked, period_id, bounds, start_value=value, actor=actor)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    activity_record(
        action="sequence.period_created",
        obj=locked,
        changes={"period": [None, bounds.label], "next_number": [None, value]},
    )
    sequence.version = locked.version
    return NumberingPeriod.objects.get(pk=period_id)


def _period_created_event(
    sequence: Sequence, period_id: int, bounds: PeriodBounds, *, start_value: int, actor: str
) -> CounterEvent:
    """Record a period configured ahead: a `create` event skipping nothing, so the audit knows why."""
    return CounterEvent.objects.create(
        entity_id=sequence.entity_id,
        sequence=sequence,
        period_id=period_id,
        kind=CounterEvent.Kind.CREATE,
        value_before=start_value - 1,
        value_after=start_value - 1,
        reason=f"period {bounds.label} configured to start at {start_value}",
        actor=actor,
    )


def _entry_apply(
    sequence: Sequence, bounds: PeriodBounds, entry: dict, param: str, *, actor: str
) -> CounterEvent | None:
    """Give the period `bounds` the next value a `fiscal_years` or `numberings` entry names."""
    value = next_value_from(entry, sequence, param=param)
    return period_set_next(
        sequence=sequence,
        bounds=bounds,
        next_value=value,
        actor=actor,
        param=f"{param}.next_number",
        created_at=_entry_datetime(entry, "created_at", param),
    )


def sequence_next_set(
    *, sequence: Sequence, next_number=None, next_sequence=None, actor: str, reason: str
) -> CounterEvent | None:
    """Make a value the next one for a document dated today (Intacct's top-level nextNumber)."""
    value = next_value_from({"next_number": next_number, "next_sequence": next_sequence}, sequence)
    bounds = _bounds_for(period_rule(sequence), timezone.localdate(), "next_number")
    period_id, created = period_ensure(sequence=sequence, bounds=bounds, start_value=value)
    if created:
        return _period_created_event(sequence, period_id, bounds, start_value=value, actor=actor)
    period = period_lock(period_id)
    if value - 1 < period.last_value:
        raise RuleViolation(
            f"The next number cannot go back: {period.label} has already reached {period.last_value} "
            f"(the next number is {period.last_value + 1} or later).",
            code="counter_decrement",
            param="next_sequence" if next_sequence not in (None, "") else "next_number",
        )
    if value - 1 == period.last_value:
        return None
    return period_counter_move(
        period=period,
        sequence=sequence,
        to=value - 1,
        kind=CounterEvent.Kind.EDIT,
        reason=f"{reason}: next number of {period.label} set to {value}",
        actor=actor,
    )


def _bounds_for(
    rule, on: datetime.date, param: str, *, reset_from: datetime.date | None = None
) -> PeriodBounds:
    try:
        bounds = period_bounds(rule, on)
    except FolioError as error:
        error.param = param
        raise
    if reset_from is not None and bounds.end < reset_from:
        raise InvalidInput(
            f"Period {bounds.label} ends before {reset_from.isoformat()}, when this sequence started "
            "resetting: documents dated then keep the old counter.",
            code="period_before_reset",
            param=param,
        )
    return bounds


def _require_list(value, param: str) -> None:
    if not isinstance(value, list | tuple) or not all(isinstance(item, dict) for item in value):
        raise InvalidInput(f"{param} must be a list of objects.", code=f"invalid_{param}", param=param)
    # Each entry configures a period (a few queries): bounded, so one request cannot run for seconds.
    if len(value) > MAX_PERIOD_ENTRIES:
        raise InvalidInput(
            f"{param} lists at most {MAX_PERIOD_ENTRIES} entries.", code=f"too_many_{param}", param=param
        )


def _entry_int(entry: dict, key: str, param: str, *, minimum: int, maximum: int) -> int:
    value = entry.get(key)
    if isinstance(value, str) and WHOLE_NUMBER_TEXT.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(
            f"{param}.{key} must be an integer {minimum}–{maximum}.",
            code=f"invalid_{key}",
            param=f"{param}.{key}",
        )
    return value


def _entry_datetime(entry: dict, key: str, param: str) -> datetime.datetime | None:
    value = entry.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime.datetime):
        raise InvalidInput(
            f"{param}.{key} must be a date and time (ISO 8601).",
            code="invalid_datetime",
            param=f"{param}.{key}",
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def _entry_date(entry: dict, key: str, param: str) -> datetime.date:
    value = entry.get(key)
    if isinstance(value, datetime.datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            value = None
    if not isinstance(value, datetime.date):
        raise InvalidInput(
            f"{param}.{key} must be a date (YYYY-MM-DD).", code="invalid_date", param=f"{param}.{key}"
        )
    return value
