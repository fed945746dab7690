"""Validation of a sequence's configuration: each field on its own, then the whole."""

import datetime
import re

from erp.exceptions import InvalidInput, RuleViolation
from erp.text import refuse_control_characters
from numbering.models import (
    COUNTER_TYPES,
    MAX_FORMAT_LENGTH,
    MAX_PERIOD_AMOUNT,
    MAX_PREFIX_LENGTH,
    MAX_SEPARATOR_LENGTH,
    STOCK_TRANSFER_TYPES,
    Sequence,
)
from numbering.models.sequences import PORTOS_ID_PATTERN
from numbering.periods import period_rule, periods_distinguishable
from numbering.rendering import MAX_FIXED_LENGTH, alpha_to_value, format_parse, is_alpha_text

MAX_VALUE = 2**63 - 1
# An integer written as text: ASCII digits, few enough for int() ("²" or 5,000 digits are refused).
_INTEGER_TEXT = re.compile(r"\s*-?[0-9]{1,30}\s*")
# The same without a sign: a whole number (counters and periods parse theirs with it).
WHOLE_NUMBER_TEXT = re.compile(r"\s*[0-9]{1,30}\s*")
# The furthest a counter without an ending number may be set or advanced (advance_cap_check).
MAX_OPEN_COUNTER = 999_999_999_999
MAX_REASON_LENGTH = 500  # void and counter-event reasons

# Fields a caller may set; everything else on the model is kept by the service.
SETTABLE_FIELDS = (
    "name",
    "print_title",
    "counter_type",
    "status",
    "type",
    "fixed_prefix",
    "prefix_separator",
    "fixed_suffix",
    "suffix_separator",
    "fixed_length",
    "fiscal_year_affix",
    "fiscal_year_separator",
    "format",
    "starting_number",
    "ending_number",
    "starting_sequence",
    "ending_sequence",
    "reset",
    "period_unit",
    "period_amount",
    "period_anchor",
    "warning_threshold",
    "stock_transfer_type",
    "portos_id",
)

# Once a number is issued these would re-cut its periods or re-read its values: frozen (except that a
# sequence that never resets may start resetting later: see sequence_update).
STRUCTURAL_FIELDS = ("type", "reset", "period_unit", "period_amount", "period_anchor")
# Identities a caller picks once, on create.
CREATE_ONLY_FIELDS = ("portos_id",)


def sequence_fields_apply(sequence: Sequence, fields: dict) -> list[str]:
    """Normalize the given fields onto a sequence and return the names that changed."""
    for name in fields:
        if name not in SETTABLE_FIELDS:
            raise InvalidInput(
                f"{name!r} is not a field of a sequence you can set.", code="unknown_field", param=name
            )
    changed = []
    for name, raw in fields.items():
        value = _NORMALIZERS[name](raw, name)
        if getattr(sequence, name) != value:
            setattr(sequence, name, value)
            changed.append(name)
    return changed


def sequence_validate(sequence: Sequence, *, fiscal_year_start_month: int) -> list[str]:
    """Check a sequence's fields together, derive the dependent ones, and return those derived."""
    derived = []
    if not sequence.name:
        raise InvalidInput("A sequence needs a name.", code="name_required", param="name")
    if sequence.type == Sequence.Type.ALPHA:
        derived += _alpha_range(sequence)
    else:
        for name in ("starting_sequence", "ending_sequence"):
            if getattr(sequence, name):
                raise InvalidInput(
                    f"{name} applies to alpha sequences only; numeric sequences use "
                    f"{name.replace('sequence', 'number')}.",
                    code=f"invalid_{name}",
                    param=name,
                )
    if sequence.ending_number is not None and sequence.ending_number < sequence.starting_number:
        param = "ending_sequence" if sequence.type == Sequence.Type.ALPHA else "ending_number"
        raise InvalidInput(
            "The ending number is before the starting number.", code=f"invalid_{param}", param=param
        )
    if sequence.reset == Sequence.Reset.CUSTOM:
        if not sequence.period_unit:
            raise InvalidInput(
                "A custom reset needs period_unit (month or year).",
                code="period_required",
                param="period_unit",
            )
        limit = MAX_PERIOD_AMOUNT[sequence.period_unit]
        if sequence.period_amount is None or not 1 <= sequence.period_amount <= limit:
            raise InvalidInput(
                f"period_amount must be 1–{limit} {sequence.period_unit}s for a custom reset.",
                code="invalid_period_amount",
                param="period_amount",
            )
    elif sequence.period_unit or sequence.period_amount is not None:
        # Only custom resets have a period length; dropping it keeps the row unambiguous.
        sequence.period_unit, sequence.period_amount = "", None
        derived += ["period_unit", "period_amount"]
    if sequence.format:
        format_parse(sequence.format)
    rule = period_rule(sequence, fiscal_year_start_month=fiscal_year_start_month)
    if sequence.numbers_repeat_across_periods:
        return derived  # rollover with no affix: numbers are unique per fiscal year, by design
    if not periods_distinguishable(rule, sequence.effective_format):
        raise InvalidInput(
            f"With reset {sequence.reset!r} the numbers of different periods would look alike "
            f"(the effective format {sequence.effective_format!r} does not tell the periods apart).",
            code="format_not_period_unique",
            param="format" if sequence.format else "fiscal_year_affix",
            hint=_period_hint(sequence.reset),
        )
    return derived


def _alpha_range(sequence: Sequence) -> list[str]:
    # Alpha sequences count with integers like numeric ones: the letters are only how they print.
    derived = []
    if not sequence.starting_sequence:
        sequence.starting_sequence = "a"
        derived.append("starting_sequence")
    starting = alpha_to_value(sequence.starting_sequence)
    ending = alpha_to_value(sequence.ending_sequence) if sequence.ending_sequence else None
    if sequence.starting_number != starting:
        sequence.starting_number = starting
        derived.append("starting_number")
    if sequence.ending_number != ending:
        sequence.ending_number = ending
        derived.append("ending_number")
    return derived


def _period_hint(reset: str) -> str:
    return {
        "fiscal_year": "Add {fy} (or fiscal_year_affix prefix/suffix), or {yyyy}{MM}.",
        "calendar_year": "Add {yyyy} or {yy}.",
        "month": "Add {yyyy}{MM} (or {yy}{MM}) with a format string.",
        "custom": "Add the date parts that change from one period to the next, e.g. {yyyy}{MM}.",
    }.get(reset, "")


def next_value_from(entry: dict, sequence: Sequence, *, param: str = "") -> int:
    """Return the value a fiscal_years/numberings entry sets as next (next_number or next_sequence)."""

    def at(key: str) -> str:
        return f"{param}.{key}" if param else key

    next_sequence = entry.get("next_sequence")
    if sequence.type == Sequence.Type.ALPHA and next_sequence not in (None, ""):
        text = _text(next_sequence, at("next_sequence"), max_length=16, code="invalid_next_sequence")
        if not is_alpha_text(text):
            raise InvalidInput(
                "next_sequence must be lowercase letters a–z.",
                code="invalid_next_sequence",
                param=at("next_sequence"),
            )
        value = alpha_to_value(text)
    else:
        value = _integer(entry.get("next_number"), at("next_number"), code="invalid_next_number")
        if value is None:
            raise InvalidInput("Give the next number.", code="invalid_next_number", param=at("next_number"))
        if sequence.type == Sequence.Type.ALPHA and value < 1:
            raise InvalidInput(
                "Alpha sequences count from 1 ('a').", code="invalid_next_number", param=at("next_number")
            )
    if sequence.ending_number is not None and value > sequence.ending_number + 1:
        raise InvalidInput(
            f"The next number is past the ending number {sequence.ending_number}.",
            code="invalid_next_number",
            param=at("next_number"),
        )
    advance_cap_check(sequence, value - 1, param=at("next_sequence" if next_sequence else "next_number"))
    return value


def advance_cap_check(sequence: Sequence, counter: int, *, param: str) -> None:
    """Refuse to move an open-ended counter past 999,999,999,999: 422 `advance_too_far`.

    A counter without an ending number is meant to run for good; one typo (2^63 − 1) would leave it
    unable to issue anything ever again, since a counter never goes back. A sequence that really
    needs larger numbers states its `ending_number` first.
    """
    if sequence.ending_number is None and counter > MAX_OPEN_COUNTER:
        raise RuleViolation(
            f"{counter} is past {MAX_OPEN_COUNTER:,}, the furthest a counter without an ending number "
            "may be moved; set the sequence's ending_number first.",
            code="advance_too_far",
            param=param,
        )


# Normalizers: (raw value, param) -> stored value; they reject wrong types and ranges.


def _text(value, param: str, *, max_length: int, code: str, strip: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{param} must be a string.", code=code, param=param)
    if strip:
        value = value.strip()
    # NUL cannot be stored and other control characters break printed numbers: every channel's 400.
    refuse_control_characters(value, param=param, multiline=False)
    if len(value) > max_length:
        raise InvalidInput(f"{param} is longer than {max_length} characters.", code=code, param=param)
    return value


def _integer(value, param: str, *, code: str, minimum: int = 0, maximum: int = MAX_VALUE) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise InvalidInput(f"{param} must be an integer from {minimum} to {maximum}.", code=code, param=param)
    return value


def _choice(choices, code: str):
    def normalize(value, param):
        if value not in choices:
            raise InvalidInput(f"{param} must be one of: {', '.join(choices)}.", code=code, param=param)
        return value

    return normalize


def _name(value, param):
    return _text(value, param, max_length=100, code="name_too_long", strip=True)


def _print_title(value, param):
    return _text(value, param, max_length=100, code="print_title_too_long", strip=True)


def _prefix(value, param):
    return _text(value, param, max_length=MAX_PREFIX_LENGTH, code="prefix_too_long")


def _suffix(value, param):
    return _text(value, param, max_length=MAX_PREFIX_LENGTH, code="suffix_too_long")


def _counter_type(value, param):
    if value in (None, ""):
        return None
    return _choice(COUNTER_TYPES, "invalid_counter_type")(value, param)


def _separator(value, param):
    return _text(value, param, max_length=MAX_SEPARATOR_LENGTH, code="separator_too_long")


def _format(value, param):
    return _text(value, param, max_length=MAX_FORMAT_LENGTH, code="format_too_long")


def _fixed_length(value, param):
    return _integer(value, param, code="invalid_fixed_length", minimum=1, maximum=MAX_FIXED_LENGTH)


def _starting_number(value, param):
    number = _integer(value, param, code="invalid_starting_number")
    return 1 if number is None else number


def _ending_number(value, param):
    return _integer(value, param, code="invalid_ending_number")


def _alpha_text(value, param):
    text = _text(value, param, max_length=16, code=f"invalid_{param}").lower()
    if text and not is_alpha_text(text):
        raise InvalidInput(f"{param} must be letters a–z.", code=f"invalid_{param}", param=param)
    return text


def _period_amount(value, param):
    return _integer(
        value, param, code="invalid_period_amount", minimum=1, maximum=max(MAX_PERIOD_AMOUNT.values())
    )


def _period_unit(value, param):
    return (
        ""
        if value in (None, "")
        else _choice(list(Sequence.PeriodUnit.values), "invalid_period_unit")(value, param)
    )


def _date(value, param):
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise InvalidInput(f"{param} must be a date (YYYY-MM-DD).", code="invalid_date", param=param)


def _stock_transfer_type(value, param):
    if value in (None, ""):
        return ""
    return _choice(STOCK_TRANSFER_TYPES, "invalid_stock_transfer_type")(value, param)


def _portos_id(value, param):
    if not isinstance(value, str) or not re.fullmatch(PORTOS_ID_PATTERN, value):
        raise InvalidInput(
            f"{param} must be 24 lowercase hexadecimal characters.", code="invalid_portos_id", param=param
        )
    return value


def _warning_threshold(value, param):
    return _integer(value, param, code="invalid_warning_threshold", maximum=2**31 - 1)


_NORMALIZERS = {
    "name": _name,
    "print_title": _print_title,
    "counter_type": _counter_type,
    "status": _choice(list(Sequence.Status.values), "invalid_status"),
    "type": _choice(list(Sequence.Type.values), "invalid_type"),
    "fixed_prefix": _prefix,
    "prefix_separator": _separator,
    "fixed_suffix": _suffix,
    "suffix_separator": _separator,
    "fixed_length": _fixed_length,
    "fiscal_year_affix": _choice(list(Sequence.FiscalYearAffix.values), "invalid_fiscal_year_affix"),
    "fiscal_year_separator": _separator,
    "format": _format,
    "starting_number": _starting_number,
    "ending_number": _ending_number,
    "starting_sequence": _alpha_text,
    "ending_sequence": _alpha_text,
    "reset": _choice(list(Sequence.Reset.values), "invalid_reset"),
    "period_unit": _period_unit,
    "period_amount": _period_amount,
    "period_anchor": _date,
    "warning_threshold": _warning_threshold,
    "stock_transfer_type": _stock_transfer_type,
    "portos_id": _portos_id,
}


def reason_checked(reason, *, action: str) -> str:
    """Return a required reason stripped, or refuse it (missing, or over 500 characters)."""
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("reason must be a string.", code="parameter_invalid", param="reason")
    reason = refuse_control_characters((reason or "").strip(), param="reason", multiline=True)
    if not reason:
        raise InvalidInput(f"Say why the {action}.", code="reason_required", param="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"The reason is longer than {MAX_REASON_LENGTH} characters.",
            code="reason_too_long",
            param="reason",
        )
    return reason
