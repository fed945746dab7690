"""A service's refusal in an accountant's words, for the admin (docs/admin.md, "Errors").

The services speak the API's language: ``lines[0].unit_price must not be negative``, ``amount (10)
must equal the sum of amount_applied (9.99) within $0.005``. The admin shows the same refusal next
to the field it names, and says it the way an accountant would: "Unit price cannot be negative."

:func:`plain_message` takes the error's code first (:data:`PLAIN`, a sentence per code, given the
label of the field it sits at and the figures the service's message carries), and otherwise
rewrites the message: the field path becomes its label, other field names become words, the API's
rounding tolerance is dropped, and the service's hint follows.
"""

import datetime
import re
from collections.abc import Callable

from erp.exceptions import FolioError

_PATH = re.compile(r"\b[a-z_]+\[\d+\](?:\.[a-z_]+)?")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_FIGURE = re.compile(r"-?\d[\d,]*\.\d+|-?\d[\d,]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTED = re.compile(r"'([^']*)'")
_TOLERANCE = re.compile(r"\s*within \$0\.005")


def _figures(message: str) -> list[str]:
    """Return the amounts a service's message quotes, in order."""
    return _FIGURE.findall(_ISO_DATE.sub("", message))


def _long_date(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _date_out_of_range(error: FolioError, label: str) -> str:
    dates = _ISO_DATE.findall(error.message)
    if len(dates) >= 2:
        return (
            f"{label} must be between {_long_date(dates[0])} and {_long_date(dates[1])} (a year from today)."
        )
    return f"{label} must be on or after 1 January 1900."


def _decimal_places(error: FolioError, label: str) -> str:
    if "four" in error.message:
        return f"{label} takes at most four decimal places."
    return f"{label} is in cents: at most two decimal places."


def _amount_mismatch(error: FolioError, label: str) -> str:
    figures = _figures(error.message)
    received, applied = [*figures, "?", "?"][:2]
    return (
        f"The amount received ({received}) is not the total applied ({applied}). Correct one of them, "
        "or leave the amount empty to receive exactly the total applied."
    )


def _exceeds_balance(error: FolioError, label: str) -> str:
    figures = _figures(error.message)
    applied, balance = [*figures, "?", "?"][:2]
    return f"{applied} exceeds the balance due of {balance}."


def _amount_of(error: FolioError, label: str) -> str:
    """Name the amount a too-large refusal is about: a field's, a line's, or the total."""
    if error.param == "lines":
        return "The total"
    if (error.param or "").endswith("]"):
        return "The line's amount"
    return label


def _sequence_named(error: FolioError) -> str:
    """Return “name” of the sequence a numbering refusal quotes, with a leading space (or nothing)."""
    name = next(iter(_QUOTED.findall(error.message)), "")
    return f" “{name}”" if name else ""


def _sequence_inactive(error: FolioError, label: str) -> str:
    return (
        f"No number can be issued: the numbering sequence{_sequence_named(error)} is inactive. "
        "Activate it under Numbering › Sequences, then save again."
    )


def _sequence_exhausted(error: FolioError, label: str) -> str:
    return (
        f"The numbering sequence{_sequence_named(error)} has no numbers left for this period. "
        "Raise its ending number under Numbering › Sequences, then save again."
    )


# A sentence per code, given the label of the field the error is shown at.
PLAIN: dict[str, Callable[[FolioError, str], str]] = {
    "parameter_missing": lambda error, label: f"{label} is required.",
    "parameter_invalid": lambda error, label: f"Enter a valid {label.lower()}.",
    "amount_negative": lambda error, label: f"{label} cannot be negative.",
    "amount_not_positive": lambda error, label: f"{label} must be more than zero.",
    "quantity_not_positive": lambda error, label: f"{label} must be more than zero.",
    "amount_too_large": lambda error, label: f"{_amount_of(error, label)} is larger than the books accept.",
    "quantity_too_large": lambda error, label: f"{label} is larger than the books accept.",
    "too_many_decimal_places": _decimal_places,
    "date_out_of_range": _date_out_of_range,
    "total_not_positive": lambda error, label: "The total must be more than zero: enter a line with a price.",
    "invalid_line_count": lambda error, label: "Enter at least one line (at most 200).",
    "amount_mismatch": _amount_mismatch,
    "amount_exceeds_balance": _exceeds_balance,
    "sequence_inactive": _sequence_inactive,
    "sequence_exhausted": _sequence_exhausted,
    "reason_required": lambda error, label: "Give the reason.",
}


def humanize(name: str) -> str:
    """Return a field name as words: ``due_date`` → ``due date``."""
    return name.replace("_", " ")


def plain_message(error: FolioError, *, label: str | None = None) -> str:
    """Return the refusal in an accountant's words; `label` names the field it is shown at."""
    field_label = label or humanize(_last_name(error.param) or "this field").capitalize()
    sentence = PLAIN.get(error.code)
    if sentence is not None:
        return sentence(error, field_label)
    message = _TOLERANCE.sub("", error.message)
    if error.param:
        message = message.replace(error.param, field_label)
    message = _PATH.sub(lambda match: humanize(_last_name(match[0])), message)
    message = _SNAKE.sub(lambda match: humanize(match[0]), message)
    message = message[:1].upper() + message[1:]
    if error.hint and error.hint not in message:
        message = f"{message} {error.hint}"
    return message


def _last_name(param: str | None) -> str:
    """Return the field a param ends with: ``lines[2].unit_price`` → ``unit_price``."""
    if not param:
        return ""
    return param.rsplit(".", 1)[-1].partition("[")[0]
