"""A document sequence in Intacct's camelCase and back: the object a GET returns, the services' keywords
a create or PATCH body becomes."""

import datetime

from erp.exceptions import InvalidInput
from numbering import selectors
from numbering.models import Sequence
from numbering.rendering import alpha_from_value

from .catalog import HREF_PREFIX, render_datetime

# Body field -> the service's model field, for fields that map one to one.
SIMPLE_FIELDS = {
    "printTitle": "print_title",
    "type": "type",
    "fixedLength": "fixed_length",
    "fixedPrefix": "fixed_prefix",
    "prefixSeparator": "prefix_separator",
    "fixedSuffix": "fixed_suffix",
    "suffixSeparator": "suffix_separator",
    "startingNumber": "starting_number",
    "endingNumber": "ending_number",
    "startingSequence": "starting_sequence",
    "endingSequence": "ending_sequence",
    "status": "status",
}
COUNTER_FIELDS = {"nextNumber": "next_number", "nextSequence": "next_sequence"}
# Shown by GET, set by the system: a body may repeat them only unchanged.
READ_ONLY_FIELDS = ("key", "href", "whenModified", "audit")
BODY_FIELDS = {"id", *SIMPLE_FIELDS, *COUNTER_FIELDS, *READ_ONLY_FIELDS, "rollover", "fiscalYears"}
ROLLOVER_FIELDS = {"isEnabled", "enabledDate", "fiscalYearAffixPosition", "separator", "fiscalYears"}
FISCAL_YEAR_FIELDS = {
    "fiscalYear": "fiscal_year",
    "nextNumber": "next_number",
    "nextSequence": "next_sequence",
}


def href_of(sequence: Sequence) -> str:
    """Return a sequence's Intacct href."""
    return f"{HREF_PREFIX}{sequence.key}"


def reference_of(sequence: Sequence) -> dict:
    """Return the {key, id, href} a list, create or PATCH answers with."""
    return {"key": str(sequence.key), "id": sequence.name, "href": href_of(sequence)}


def sequence_representation(sequence: Sequence) -> dict:
    """Return every field of a document sequence, as Intacct's GET shows it."""
    alpha = sequence.type == Sequence.Type.ALPHA
    next_value = selectors.sequence_next_value(sequence)
    return {
        "key": str(sequence.key),
        "id": sequence.name,
        "printTitle": sequence.print_title,
        "type": sequence.type,
        "fixedLength": None if sequence.fixed_length is None else str(sequence.fixed_length),
        "fixedPrefix": sequence.fixed_prefix,
        "prefixSeparator": sequence.prefix_separator,
        "fixedSuffix": sequence.fixed_suffix,
        "suffixSeparator": sequence.suffix_separator,
        # Alpha sequences count in letters: their numbers show in the *Sequence fields only.
        "startingNumber": None if alpha else sequence.starting_number,
        "endingNumber": None if alpha else sequence.ending_number,
        "nextNumber": None if alpha else next_value,
        "startingSequence": (sequence.starting_sequence or None) if alpha else None,
        "endingSequence": (sequence.ending_sequence or None) if alpha else None,
        "nextSequence": alpha_from_value(next_value) if alpha else None,
        "whenModified": render_datetime(sequence.updated_at),
        "status": sequence.status,
        "rollover": {
            "isEnabled": sequence.reset == Sequence.Reset.FISCAL_YEAR,
            "enabledDate": _date(sequence.rollover_enabled_date),
            "fiscalYearAffixPosition": sequence.fiscal_year_affix,
            "separator": sequence.fiscal_year_separator,
        },
        "fiscalYears": fiscal_years_of(sequence),
        "audit": {
            "createdDateTime": render_datetime(sequence.created_at),
            "modifiedDateTime": render_datetime(sequence.updated_at),
            "createdBy": sequence.created_by,
            "modifiedBy": sequence.modified_by,
        },
        "href": href_of(sequence),
    }


def fiscal_years_of(sequence: Sequence) -> list[dict]:
    """Return the fiscal-year counters of a rollover sequence (none for other sequences)."""
    if sequence.reset != Sequence.Reset.FISCAL_YEAR:
        return []
    alpha = sequence.type == Sequence.Type.ALPHA
    periods = sorted(sequence.periods.all(), key=lambda period: period.start)
    return [
        {
            # A fiscal year is named by the calendar year it ends in.
            "fiscalYear": period.end.year,
            "nextNumber": None if alpha else period.last_value + 1,
            "nextSequence": alpha_from_value(period.last_value + 1) if alpha else None,
        }
        # The never-reset counter kept for documents dated before rollover is no fiscal year.
        for period in periods
        if period.start != datetime.date.min
    ]


def create_arguments(body) -> dict:
    """Return the keywords of sequence_create for a create body."""
    _check_object(body, "", BODY_FIELDS)
    for name in READ_ONLY_FIELDS:
        if body.get(name) is not None:
            raise _read_only(name)
    if "id" not in body:
        raise InvalidInput("id is required.", code="parameter_missing", param="id")
    arguments = {"name": body["id"]}
    arguments.update(_common(body, current=None))
    return arguments


def update_arguments(body, *, sequence: Sequence) -> dict:
    """Return the keywords of sequence_update for a PATCH body; unchanged echoes of GET are dropped."""
    _check_object(body, "", BODY_FIELDS)
    current = sequence_representation(sequence)
    for name in (*READ_ONLY_FIELDS, "id"):
        if name in body and not _equal(body[name], current[name]):
            if name == "id":
                raise InvalidInput(
                    "id names the sequence and cannot change.", code="id_immutable", param="id"
                )
            raise _read_only(name)
    # What a client read and sends back unchanged changes nothing (a GET-modify-PATCH round trip).
    changed = {name: value for name, value in body.items() if not _equal(value, current.get(name))}
    return _common(changed, current=current)


def _common(body: dict, *, current: dict | None) -> dict:
    arguments = {SIMPLE_FIELDS[name]: body[name] for name in SIMPLE_FIELDS if name in body}
    for name in ("startingSequence", "endingSequence"):
        if name in body and body[name] is None:
            arguments[SIMPLE_FIELDS[name]] = ""
    arguments.update({COUNTER_FIELDS[name]: body[name] for name in COUNTER_FIELDS if name in body})
    if body.get("nextSequence") not in (None, ""):
        kind = body.get("type", current["type"] if current else Sequence.Type.NUMERIC)
        if kind != Sequence.Type.ALPHA:
            raise InvalidInput(
                "nextSequence applies to alpha sequences; numeric sequences use nextNumber.",
                code="invalid_next_sequence",
                param="nextSequence",
            )
    fiscal_years = body.get("fiscalYears")
    rollover = body.get("rollover")
    if "rollover" in body:
        _check_object(rollover, "rollover", ROLLOVER_FIELDS)
        arguments.update(_rollover(rollover, current=current))
        if "fiscalYears" in rollover:
            if "fiscalYears" in body:
                raise InvalidInput(
                    "Give fiscalYears once: at the top level or inside rollover.",
                    code="duplicate_parameter",
                    param="rollover.fiscalYears",
                )
            fiscal_years = rollover["fiscalYears"]
    if fiscal_years is not None:
        arguments["fiscal_years"] = _fiscal_years(
            fiscal_years, "rollover.fiscalYears" if "fiscalYears" in (rollover or {}) else "fiscalYears"
        )
    return arguments


def _rollover(rollover: dict, *, current: dict | None) -> dict:
    was = current["rollover"] if current else {"isEnabled": False, "enabledDate": None}
    if "enabledDate" in rollover and not _equal(rollover["enabledDate"], was["enabledDate"]):
        raise _read_only("rollover.enabledDate", "it is set when rollover is first enabled")
    arguments = {}
    if "isEnabled" in rollover:
        enabled = rollover["isEnabled"]
        if not isinstance(enabled, bool):
            raise InvalidInput(
                "rollover.isEnabled must be true or false.",
                code="parameter_invalid",
                param="rollover.isEnabled",
            )
        # Only a change is applied: false leaves a sequence that resets otherwise (e.g. monthly) alone.
        if enabled != was["isEnabled"]:
            arguments["reset"] = Sequence.Reset.FISCAL_YEAR if enabled else Sequence.Reset.NEVER
    if "fiscalYearAffixPosition" in rollover:
        arguments["fiscal_year_affix"] = rollover["fiscalYearAffixPosition"]
    if "separator" in rollover:
        arguments["fiscal_year_separator"] = rollover["separator"]
    return arguments


def _fiscal_years(entries, param: str) -> list[dict]:
    if not isinstance(entries, list):
        raise InvalidInput(f"{param} must be a list.", code="parameter_invalid", param=param)
    result = []
    for index, entry in enumerate(entries):
        _check_object(entry, f"{param}[{index}]", set(FISCAL_YEAR_FIELDS))
        result.append({FISCAL_YEAR_FIELDS[name]: value for name, value in entry.items()})
    return result


def _check_object(value, param: str, allowed: set) -> None:
    where = param or "The body"
    if not isinstance(value, dict):
        raise InvalidInput(f"{where} must be a JSON object.", code="parameter_invalid", param=param or None)
    for name in value:
        if name not in allowed:
            field = f"{param}.{name}" if param else name
            raise InvalidInput(
                f"{field} is not a field of a document sequence.", code="unknown_parameter", param=field
            )


def _read_only(field: str, why: str = "it is set by the system") -> InvalidInput:
    return InvalidInput(
        f"{field} is read-only ({why}); send it only unchanged.", code="read_only", param=field
    )


def _equal(given, current) -> bool:
    """Compare a body value with what GET shows; moments compare as instants, at GET's precision."""
    if isinstance(given, dict) and isinstance(current, dict):
        return given.keys() <= current.keys() and all(_equal(v, current[k]) for k, v in given.items())
    if isinstance(given, list) and isinstance(current, list):
        return len(given) == len(current) and all(_equal(g, c) for g, c in zip(given, current, strict=True))
    if isinstance(given, str) and isinstance(current, str) and current.endswith("Z") and given != current:
        return _instant(given) is not None and _instant(given) == _instant(current)
    return type(given) is type(current) and given == current


def _instant(text: str) -> datetime.datetime | None:
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00: no such moment, so not the stored one
        return None


def _date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()
