"""The query service's filters: each `{"$operator": {"field": value}}` condition becomes a Q object.

Values are bound as query parameters by the ORM; no text of the request is ever pasted into SQL.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from erp.exceptions import InvalidInput

from .catalog import BOOLEAN, DATE, DATETIME, FIELDS, GROUPS, INTEGER, LISTS, OBJECT, STRING, Field
from .dates import MACROS, macro_days

MAX_INTEGER = 2**63 - 1
# One request's work is bounded (docs/dialects.md): conditions per query and values per $in/$notIn.
MAX_FILTERS, MAX_LIST_VALUES = 100, 1000
COMPARISONS = {"$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte"}
TEXT_MATCHES = {
    "$contains": ("contains", False),
    "$notContains": ("contains", True),
    "$startsWith": ("startswith", False),
    "$notStartsWith": ("startswith", True),
    "$endsWith": ("endswith", False),
    "$notEndsWith": ("endswith", True),
}
OPERATORS = ("$eq", "$ne", *COMPARISONS, "$in", "$notIn", "$between", "$notBetween", *TEXT_MATCHES)
_INTEGER_TEXT = re.compile(r"^-?\d{1,19}$")


@dataclass
class Context:
    """What the conditions need: today, the as-of date, case folding, and the annotations they use."""

    as_of: datetime.date
    today: datetime.date
    case_sensitive: bool
    annotations: dict = field(default_factory=dict)

    def use(self, target: Field) -> str:
        """Annotate a field and return its name (lower-cased for case-insensitive text comparisons)."""
        self.annotations[target.alias] = target.expression(self.today)
        if target.kind == STRING and not self.case_sensitive:
            self.annotations[target.alias + "_lower"] = Lower(target.alias)
            return target.alias + "_lower"
        return target.alias


def condition(item, param: str, context: Context) -> tuple[Q, str]:
    if not isinstance(item, dict) or len(item) != 1:
        raise invalid(
            f'{param} must be one operator with its field, e.g. {{"$eq": {{"status": "active"}}}}.', param
        )
    operator, operand = next(iter(item.items()))
    if operator not in OPERATORS:
        raise InvalidInput(f"{operator!r} is not a filter operator.", code="unknown_operator", param=param)
    param = f"{param}.{operator}"
    if not isinstance(operand, dict) or len(operand) != 1:
        raise invalid(f"{param} must name one field and its value.", param)
    name, value = next(iter(operand.items()))
    target = scalar_field(name, param)
    param = f"{param}.{name}"
    if target.kind in (DATE, DATETIME):
        return _date_condition(operator, target, value, param, context), name
    return _scalar_condition(operator, target, value, param, context), name


def _scalar_condition(operator: str, target: Field, value, param: str, context: Context) -> Q:
    lookup = context.use(target)
    if operator in ("$eq", "$ne"):
        if value is None:
            condition = Q(**{f"{lookup}__isnull": True})
            return condition if operator == "$eq" else ~condition
        return _negated(Q(**{lookup: _scalar(target, value, param, context)}), lookup, operator == "$ne")
    if operator in ("$in", "$notIn"):
        values = [_scalar(target, item, param, context) for item in _list(value, param)]
        return _negated(Q(**{f"{lookup}__in": values}), lookup, operator == "$notIn")
    if target.kind == BOOLEAN:
        raise invalid(f"{operator} does not apply to the boolean {target.name}.", param)
    if operator in COMPARISONS:
        return Q(**{f"{lookup}__{COMPARISONS[operator]}": _scalar(target, value, param, context)})
    if operator in ("$between", "$notBetween"):
        low, high = (_scalar(target, item, param, context) for item in _list(value, param, length=2))
        condition = Q(**{f"{lookup}__gte": low, f"{lookup}__lte": high})
        return _negated(condition, lookup, operator == "$notBetween")
    if target.kind != STRING:
        raise invalid(f"{operator} applies to text fields; {target.name} is a {target.kind}.", param)
    match, negated = TEXT_MATCHES[operator]
    return _negated(Q(**{f"{lookup}__{match}": _scalar(target, value, param, context)}), lookup, negated)


def _date_condition(operator: str, target: Field, value, param: str, context: Context) -> Q:
    lookup = context.use(target)
    if operator in TEXT_MATCHES:
        raise invalid(f"{operator} applies to text fields; {target.name} is a {target.kind}.", param)
    if value is None and operator in ("$eq", "$ne"):
        condition = Q(**{f"{lookup}__isnull": True})
        return condition if operator == "$eq" else ~condition

    def within(item) -> Q:
        low, high = _span(target, item, param, context)
        return Q(**{f"{lookup}__gte": low}) & _before(lookup, high)

    if operator in ("$eq", "$ne"):
        return _negated(within(value), lookup, operator == "$ne")
    if operator in ("$in", "$notIn"):
        spans = [within(item) for item in _list(value, param)]
        condition = spans[0]
        for span in spans[1:]:
            condition |= span
        return _negated(condition, lookup, operator == "$notIn")
    if operator in ("$between", "$notBetween"):
        first, last = _list(value, param, length=2)
        low, high = _span(target, first, param, context)[0], _span(target, last, param, context)[1]
        return _negated(
            Q(**{f"{lookup}__gte": low}) & _before(lookup, high), lookup, operator == "$notBetween"
        )
    low, high = _span(target, value, param, context)
    if operator == "$lt":
        return Q(**{f"{lookup}__lt": low})
    if operator == "$gte":
        return Q(**{f"{lookup}__gte": low})
    if operator == "$lte":
        return _before(lookup, high) & Q(**{f"{lookup}__isnull": False})
    return Q(pk__in=[]) if high is None else Q(**{f"{lookup}__gte": high})  # $gt


def _before(lookup: str, high) -> Q:
    # An open end (the last day there is) bounds nothing.
    return Q() if high is None else Q(**{f"{lookup}__lt": high})


def _negated(condition: Q, lookup: str, negated: bool) -> Q:
    # A missing value is not equal to, not in and does not contain anything.
    return (~condition | Q(**{f"{lookup}__isnull": True})) if negated else condition


def _span(target: Field, value, param: str, context: Context) -> tuple:
    """Return the half-open [low, high) a date, moment or macro covers (high None: no end)."""
    if isinstance(value, str) and value in MACROS:
        first, last = macro_days(value, as_of=context.as_of, param=param)
    elif target.kind == DATETIME and isinstance(value, str) and len(value) > 10:
        moment = _moment(value, param)
        # Moments print to the second: a moment matches its whole second (the last one has no end).
        try:
            return moment, moment + datetime.timedelta(seconds=1)
        except OverflowError:
            return moment, None
    else:
        first = last = day(value, param)
    following = None if last == datetime.date.max else last + datetime.timedelta(days=1)
    if target.kind == DATE:
        return first, following
    return _midnight(first), None if following is None else _midnight(following)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _moment(value: str, param: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise invalid(f"{param} must be a date (YYYY-MM-DD), a date-time or a date macro.", param) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def day(value, param: str) -> datetime.date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid(f"{param} must be a date (YYYY-MM-DD) or a date macro ({', '.join(MACROS)}).", param)


def _scalar(target: Field, value, param: str, context: Context):
    if target.kind == INTEGER:
        if isinstance(value, str) and _INTEGER_TEXT.match(value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
            raise invalid(f"{param} must be an integer.", param)
        return value
    if target.kind == BOOLEAN:
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise invalid(f"{param} must be true or false.", param)
        return value
    if not isinstance(value, str):
        raise invalid(f"{param} must be a string.", param)
    if "\x00" in value:  # no stored text holds one, and PostgreSQL refuses it in a parameter
        raise invalid(f"{param} must not contain NUL characters.", param)
    return value if context.case_sensitive else value.lower()


def _list(value, param: str, *, length: int | None = None) -> list:
    if not isinstance(value, list) or not value or (length is not None and len(value) != length):
        shape = f"a list of {length} values" if length else "a non-empty list of values"
        raise invalid(f"{param} must be {shape}.", param)
    if len(value) > MAX_LIST_VALUES:
        raise invalid(f"{param} lists at most {MAX_LIST_VALUES} values.", param)
    return value


def scalar_field(name, param: str) -> Field:
    if not isinstance(name, str):
        raise unknown_field(name, param)
    if name in FIELDS:
        return FIELDS[name]
    if name in GROUPS or name in LISTS:
        raise invalid(f"{name} holds several values: name one of them (e.g. rollover.isEnabled).", param)
    raise unknown_field(name, param)


def unknown_field(name, param: str) -> InvalidInput:
    return InvalidInput(f"{name!r} is not a field of {OBJECT}.", code="unknown_field", param=param)


def invalid(message: str, param: str | None) -> InvalidInput:
    return InvalidInput(message, code="parameter_invalid", param=param)
