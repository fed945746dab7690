"""PORTOS stock transfer numberings <-> numbering's sequences: the field mapping (docs/dialects.md)."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from erp.exceptions import Conflict, FolioError, InvalidInput
from numbering.models import STOCK_TRANSFER_TYPES, Sequence
from numbering.periods import ALL_DATES, period_bounds, period_rule

ID_PATTERN = re.compile(r"[0-9a-f]{24}")
FIELDS = ("id", "isActive", "type", "format", "repeat", "numberings", "_v")
ENTRY_FIELDS = ("isActive", "createdAt", "startAt", "period", "currentNumber")
PERIOD_FIELDS = ("unit", "amount")
UNITS = {"month": "Month", "year": "Year"}
# The never-resetting counter covers every date; PORTOS shows it starting on the first day there is.
ALL_TIME_START = ALL_DATES[0]
# Periods a client configures start in this window (the never-resetting counter aside).
FIRST_START, LAST_START = datetime.date(1900, 1, 1), datetime.date(9900, 12, 31)
# A reset rule's period length as PORTOS writes it; fiscal and calendar years are one Year long.
_RESET_PERIODS = {
    Sequence.Reset.MONTH: ("month", 1),
    Sequence.Reset.CALENDAR_YEAR: ("year", 1),
    Sequence.Reset.FISCAL_YEAR: ("year", 1),
}
# Service parameter -> the PORTOS field a client sent it as.
_PARAMS = {
    "portos_id": "id",
    "name": "id",
    "status": "isActive",
    "stock_transfer_type": "type",
    "format": "format",
    "reset": "repeat",
    "period_unit": "numberings[0].period.unit",
    "period_amount": "numberings[0].period.amount",
    "period_anchor": "numberings[0].startAt",
    "version": "_v",
}
_ENTRY_PARAMS = {
    "start": "startAt",
    "end": "startAt",
    "next_number": "currentNumber",
    "created_at": "createdAt",
}
_ENTRY_PARAM = re.compile(r"(numberings\[\d+\])\.(\w+)")


@dataclass(frozen=True)
class NumberingEntry:
    """One `numberings[]` entry as given: a period's start, its current number and when it was created."""

    start: datetime.date
    current_number: int
    created_at: datetime.datetime | None
    period: tuple[str, int] | None  # (unit, amount), None for the never-resetting counter


@dataclass(frozen=True)
class StockTransferNumbering:
    """A validated PORTOS body (the whole object: PUT replaces)."""

    id: str | None
    is_active: bool
    type: str  # "" when the numbering has no stock transfer type
    format: str
    repeat: bool
    period: tuple[str, int] | None
    numberings: tuple[NumberingEntry, ...]
    version: int | None


def derived_name(type_: str, portos_id: str) -> str:
    """Return the native name of a sequence created through PORTOS (names are required and unique)."""
    return f"{type_ or 'Numbering'} {portos_id}"


def period_length(sequence: Sequence) -> tuple[str, int] | None:
    """Return a sequence's period as (unit, amount), or None when it never resets."""
    if sequence.reset == Sequence.Reset.CUSTOM:
        return sequence.period_unit, sequence.period_amount
    return _RESET_PERIODS.get(sequence.reset)


def numbering_render(sequence: Sequence, *, today: datetime.date | None = None) -> dict:
    """Return a sequence as a PORTOS StockTransferNumbering (its periods prefetched or not)."""
    length = period_length(sequence)
    in_force = period_bounds(period_rule(sequence), today or timezone.localdate()).start
    return {
        "id": sequence.portos_id,
        "isActive": sequence.status == Sequence.Status.ACTIVE,
        "type": sequence.stock_transfer_type or None,
        "format": sequence.effective_format,
        "repeat": length is not None,
        "numberings": [
            {
                "isActive": period.start == in_force,
                "createdAt": _datetime_text(period.created_at),
                "startAt": f"{period.start.isoformat()}T00:00:00Z",
                "period": _period_render(None if period.start == ALL_TIME_START else length),
                "currentNumber": period.last_value,
            }
            for period in sorted(sequence.periods.all(), key=lambda period: period.start)
        ],
        "_v": sequence.version,
    }


def numbering_parse(body, *, path_id: str | None = None) -> StockTransferNumbering:
    """Validate a POST/PUT body; a PUT's path id must agree with the body's."""
    _require_object(body, "", FIELDS)
    portos_id = body.get("id")
    if portos_id is not None and (not isinstance(portos_id, str) or not ID_PATTERN.fullmatch(portos_id)):
        raise InvalidInput(
            "id must be 24 lowercase hexadecimal characters.", code="invalid_portos_id", param="id"
        )
    if path_id is not None and portos_id is not None and portos_id != path_id:
        raise InvalidInput(
            f"The body's id {portos_id!r} is not the id in the path ({path_id!r}).",
            code="id_mismatch",
            param="id",
        )
    type_ = body.get("type")
    if type_ is not None:
        type_ = _stock_transfer_type(type_)
    repeat = _boolean(body, "repeat", required=True)
    numberings = body.get("numberings", [])
    if not isinstance(numberings, list):
        raise InvalidInput("numberings must be a list.", code="parameter_invalid", param="numberings")
    entries = tuple(_entry_parse(entry, f"numberings[{i}]") for i, entry in enumerate(numberings))
    version = body.get("_v")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        raise InvalidInput("_v must be a positive integer.", code="parameter_invalid", param="_v")
    fmt = body.get("format")
    if not isinstance(fmt, str) or not fmt:
        code = "parameter_missing" if fmt in (None, "") else "parameter_invalid"
        raise InvalidInput(
            "format is required: a format string such as V-{yyyy}{MM}{i4}.", code=code, param="format"
        )
    return StockTransferNumbering(
        id=portos_id or path_id,
        is_active=_boolean(body, "isActive", default=True),
        type=type_ or "",
        format=fmt,
        repeat=repeat,
        period=_period_of(repeat, entries),
        numberings=entries,
        version=version,
    )


def create_arguments(numbering: StockTransferNumbering, portos_id: str) -> dict:
    """Return sequence_create's keyword arguments for a new numbering."""
    if numbering.version not in (None, 1):
        raise Conflict(
            f"No numbering {portos_id} exists at version {numbering.version}; a new one starts at 1.",
            code="version_mismatch",
            param="_v",
        )
    _check_all_time_entries(numbering, has_all_time_counter=False)
    return {
        "portos_id": portos_id,
        "name": derived_name(numbering.type, portos_id),
        "status": _status(numbering),
        "stock_transfer_type": numbering.type,
        "format": numbering.format,
        **_reset_fields(numbering),
        "numberings": _service_entries(numbering),
    }


def update_arguments(numbering: StockTransferNumbering, sequence: Sequence) -> dict:
    """Return sequence_update's keyword arguments to make a sequence what the client PUT."""
    _check_all_time_entries(
        numbering, has_all_time_counter=sequence.periods.filter(start=ALL_TIME_START).exists()
    )
    arguments = {
        "expected_version": numbering.version,
        "status": _status(numbering),
        "stock_transfer_type": numbering.type,
        "numberings": _service_entries(numbering),
    }
    # Only real changes: a structured layout shown as its effective format, or a fiscal-year reset shown
    # as one Year, stays as it is when the client PUTs back what it read.
    if numbering.format != sequence.effective_format:
        arguments["format"] = numbering.format
    if numbering.period != period_length(sequence):
        arguments.update(_reset_fields(numbering))
    if sequence.name == derived_name(sequence.stock_transfer_type, sequence.portos_id):
        arguments["name"] = derived_name(numbering.type, sequence.portos_id)
    return arguments


def portos_error(error: FolioError) -> FolioError:
    """Name a service error's param as the PORTOS field it came from; a counter decrement is a 409."""
    if error.param:
        entry = _ENTRY_PARAM.fullmatch(error.param)
        if entry:
            error.param = f"{entry.group(1)}.{_ENTRY_PARAMS.get(entry.group(2), entry.group(2))}"
        else:
            error.param = _PARAMS.get(error.param, error.param)
    if error.code == "counter_decrement" and error.status_code != 409:
        # A counter that would go back conflicts with what the period already issued (409, not 422).
        return Conflict(error.message, code=error.code, param=error.param, hint=error.hint)
    return error


def _check_all_time_entries(numbering: StockTransferNumbering, *, has_all_time_counter: bool) -> None:
    """A repeating numbering has the never-resetting counter only if it began repeating once it was used."""
    if not numbering.repeat or has_all_time_counter:
        return
    for i, entry in enumerate(numbering.numberings):
        if entry.start == ALL_TIME_START:
            raise InvalidInput(
                "0001-01-01 is the counter of a numbering that does not repeat; this numbering has no such "
                "counter, so its numberings start on the first day of one of its periods.",
                code="period_mismatch",
                param=f"numberings[{i}].startAt",
            )


def _service_entries(numbering: StockTransferNumbering) -> list[dict]:
    # currentNumber is the last value taken, so the period's next number is one more.
    return [
        {"start": entry.start, "next_number": entry.current_number + 1, "created_at": entry.created_at}
        for entry in numbering.numberings
    ]


def _status(numbering: StockTransferNumbering) -> str:
    return Sequence.Status.ACTIVE if numbering.is_active else Sequence.Status.INACTIVE


def _reset_fields(numbering: StockTransferNumbering) -> dict:
    if numbering.period is None:
        return {"reset": Sequence.Reset.NEVER, "period_unit": "", "period_amount": None}
    unit, amount = numbering.period
    return {"reset": Sequence.Reset.CUSTOM, "period_unit": unit, "period_amount": amount}


def _period_of(repeat: bool, entries: tuple[NumberingEntry, ...]) -> tuple[str, int] | None:
    """Return the period every entry agrees on (repeat), or check that none has one (no repeat)."""
    periodic = [(i, entry) for i, entry in enumerate(entries) if entry.start != ALL_TIME_START]
    if not repeat:
        for i, entry in periodic:
            if entry.period is not None:
                raise InvalidInput(
                    "A numbering that does not repeat has one counter and no period; send period null "
                    "or set repeat to true.",
                    code="period_not_allowed",
                    param=f"numberings[{i}].period",
                )
        return None
    if not periodic:
        raise InvalidInput(
            "repeat: true needs the period to restart after: give numberings[] with "
            'period {"unit": "Month"|"Year", "amount": N}.',
            code="period_required",
            param="numberings",
        )
    first = periodic[0][1].period
    for i, entry in periodic:
        if entry.period is None:
            raise InvalidInput(
                "repeat: true needs a period on every numbering.",
                code="period_required",
                param=f"numberings[{i}].period",
            )
        if entry.period != first:
            raise InvalidInput(
                "All numberings of a numbering share one period; "
                f"numberings[{i}] differs from numberings[{periodic[0][0]}].",
                code="period_mismatch",
                param=f"numberings[{i}].period",
            )
    return first


def _entry_parse(entry, param: str) -> NumberingEntry:
    _require_object(entry, param, ENTRY_FIELDS)
    _boolean(entry, "isActive", default=True, prefix=param)  # derived on output; read, not stored
    current = entry.get("currentNumber")
    if isinstance(current, bool) or not isinstance(current, int) or current < 0:
        raise InvalidInput(
            "currentNumber must be a whole number, 0 or more (the last number taken).",
            code="parameter_missing" if current is None else "parameter_invalid",
            param=f"{param}.currentNumber",
        )
    return NumberingEntry(
        start=_start_parse(entry.get("startAt"), f"{param}.startAt"),
        current_number=current,
        created_at=_created_parse(entry.get("createdAt"), f"{param}.createdAt"),
        period=_period_parse(entry.get("period"), f"{param}.period"),
    )


def _start_parse(value, param: str) -> datetime.date:
    if value is None:
        raise InvalidInput("startAt is required.", code="parameter_missing", param=param)
    moment = _iso(value, param)
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is not None:
            moment = _utc(moment, param)
        if moment.time() != datetime.time(0):
            raise InvalidInput(
                "startAt is the first day of a period, at midnight UTC (e.g. 2023-01-01T00:00:00Z).",
                code="invalid_start_at",
                param=param,
            )
        moment = moment.date()
    if moment != ALL_TIME_START and not FIRST_START <= moment <= LAST_START:
        raise InvalidInput(
            f"startAt must fall between {FIRST_START.isoformat()} and {LAST_START.isoformat()} "
            "(or be 0001-01-01, the counter of a numbering that does not repeat).",
            code="invalid_start_at",
            param=param,
        )
    return moment


def _created_parse(value, param: str) -> datetime.datetime | None:
    if value is None:
        return None
    moment = _iso(value, param)
    if not isinstance(moment, datetime.datetime):
        moment = datetime.datetime.combine(moment, datetime.time(0))
    return _utc(moment, param) if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _utc(moment: datetime.datetime, param: str) -> datetime.datetime:
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise InvalidInput(f"{param} is out of range.", code="parameter_invalid", param=param) from None


def _iso(value, param: str) -> datetime.date | datetime.datetime:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return datetime.date.fromisoformat(value)
            return datetime.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(
        f"{param} must be an ISO 8601 date and time, e.g. 2023-01-01T00:00:00Z.",
        code="parameter_invalid",
        param=param,
    )


def _period_parse(value, param: str) -> tuple[str, int] | None:
    if value is None:
        return None
    _require_object(value, param, PERIOD_FIELDS)
    unit = value.get("unit")
    if not isinstance(unit, str) or unit.lower() not in UNITS:
        raise InvalidInput(
            "period.unit must be Month or Year.",
            code="parameter_missing" if unit is None else "invalid_period_unit",
            param=f"{param}.unit",
        )
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise InvalidInput(
            "period.amount must be a whole number, 1 or more.",
            code="parameter_missing" if amount is None else "invalid_period_amount",
            param=f"{param}.amount",
        )
    return unit.lower(), amount


def _period_render(length: tuple[str, int] | None) -> dict | None:
    if length is None:
        return None
    unit, amount = length
    return {"unit": UNITS[unit], "amount": amount}


def _stock_transfer_type(value) -> str:
    if isinstance(value, str):
        for known in STOCK_TRANSFER_TYPES:
            if value.lower() == known.lower():
                return known
    raise InvalidInput(
        f"type must be one of {', '.join(STOCK_TRANSFER_TYPES)} (or null).", code="invalid_type", param="type"
    )


def _boolean(
    body: dict, name: str, *, required: bool = False, default: bool = False, prefix: str = ""
) -> bool:
    param = f"{prefix}.{name}" if prefix else name
    value = body.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"{name} is required (true or false).", code="parameter_missing", param=param)
        return default
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.", code="parameter_invalid", param=param)
    return value


def _require_object(value, param: str, fields: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise InvalidInput(
            f"{param or 'The body'} must be a JSON object.", code="parameter_invalid", param=param or None
        )
    for name in value:
        if name not in fields:
            where = f"{param}.{name}" if param else name
            raise InvalidInput(
                f"Unknown field {where!r}; {param or 'a stock transfer numbering'} has {', '.join(fields)}.",
                code="unknown_parameter",
                param=where,
            )


def _datetime_text(moment: datetime.datetime) -> str:
    """Return an instant as PORTOS writes it: UTC, `Z`, fractions of a second only when there are any."""
    moment = moment.astimezone(datetime.UTC)
    fraction = f"{moment.microsecond:06d}".rstrip("0")
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"
