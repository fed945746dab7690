"""The query service (POST /services/core/query): a body parsed into Q objects, order, page and fields.

Values are bound as query parameters by the ORM; no text of the request is ever pasted into SQL.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from erp.exceptions import InvalidInput
from erp.models import Entity
from numbering import selectors

from . import expression
from .catalog import BOOLEAN, DATE, DATETIME, FIELDS, GROUPS, INTEGER, LISTS, OBJECT, STRING, Field
from .dates import MACROS, macro_days
from .fields import fiscal_years_of

BODY_FIELDS = (
    "object",
    "fields",
    "filters",
    "filterExpression",
    "filterParameters",
    "orderBy",
    "start",
    "size",
)
PARAMETERS = ("caseSensitiveComparison", "asOfDate", "includePrivate", "includeHierarchyFields")
DEFAULT_FIELDS = ["key", "id", "href"]
DEFAULT_SIZE, MAX_SIZE = 100, 4000
MAX_INTEGER = 2**63 - 1
AGGREGATES = {"count": Count, "avg": Avg, "sum": Sum, "min": Min, "max": Max}
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
class _Context:
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


def query_run(body, *, entity: Entity) -> dict:
    """Run a query body against an entity's sequences and return the response (ia::result, ia::meta)."""
    _check_object(body, None, BODY_FIELDS)
    if body.get("object") != OBJECT:
        raise InvalidInput(
            f"object must be {OBJECT!r} (the only object this service queries).",
            code="unknown_object",
            param="object",
        )
    parameters = _parameters(body.get("filterParameters", {}))
    today = timezone.localdate()
    context = _Context(
        as_of=parameters.get("asOfDate", today),
        today=today,
        case_sensitive=parameters.get("caseSensitiveComparison", True),
    )
    plain, aggregates = _fields(body.get("fields", DEFAULT_FIELDS))
    condition, filters_status = _filter(body, context)
    order = _order(body.get("orderBy", []), context)
    start, size = (
        _position(body.get("start", 1), "start", 1, MAX_INTEGER),
        _position(body.get("size", DEFAULT_SIZE), "size", 1, MAX_SIZE),
    )
    if aggregates and order:
        raise InvalidInput("orderBy does not apply to aggregates.", code="parameter_invalid", param="orderBy")
    for name in plain:
        for target in _parts(name):
            context.use(target)
    for _, _, target in aggregates:
        context.use(target)
    queryset = selectors.sequences_for_entity(entity=entity).annotate(**context.annotations)
    if condition is not None:
        queryset = queryset.filter(condition)
    # Inactive sequences are hidden unless the query asks about status itself.
    if not filters_status:
        queryset = queryset.filter(status="active")
    if aggregates:
        return _aggregate(queryset, aggregates, size)
    return _page(queryset.order_by(*order, "key"), plain, start, size)


def _page(queryset, plain: list[str], start: int, size: int) -> dict:
    total = queryset.count()
    aliases = {part.alias for name in plain for part in _parts(name)}
    rows = list(queryset.values("pk", *aliases)[start - 1 : start - 1 + size])
    fiscal_years = {}
    if "fiscalYears" in plain:
        page = queryset.model.objects.filter(pk__in=[row["pk"] for row in rows]).prefetch_related("periods")
        fiscal_years = {sequence.pk: fiscal_years_of(sequence) for sequence in page}
    result = [{name: _value(name, row, fiscal_years) for name in plain} for row in rows]
    return {
        "ia::result": result,
        "ia::meta": {
            "totalCount": total,
            "start": start,
            "pageSize": size,
            "next": start + size if start - 1 + size < total else None,
            "previous": max(1, start - size) if start > 1 else None,
        },
    }


def _aggregate(queryset, aggregates: list, size: int) -> dict:
    values = queryset.aggregate(
        **{
            f"aggregate_{index}": AGGREGATES[function](target.alias)
            for index, (_, function, target) in enumerate(aggregates)
        }
    )
    row = {}
    for index, (label, function, target) in enumerate(aggregates):
        value = values[f"aggregate_{index}"]
        if function == "avg":
            row[label] = None if value is None else float(value)
        elif function in ("count", "sum"):
            row[label] = None if value is None else int(value)
        else:
            row[label] = target.render(value)
    return {
        "ia::result": [row],
        "ia::meta": {"totalCount": 1, "start": 1, "pageSize": size, "next": None, "previous": None},
    }


def _value(name: str, row: dict, fiscal_years: dict):
    if name in FIELDS:
        return FIELDS[name].render(row[FIELDS[name].alias])
    if name in GROUPS:
        return {part.split(".", 1)[1]: FIELDS[part].render(row[FIELDS[part].alias]) for part in GROUPS[name]}
    return fiscal_years[row["pk"]]


def _parts(name: str) -> list[Field]:
    if name in FIELDS:
        return [FIELDS[name]]
    return [FIELDS[part] for part in GROUPS.get(name, [])]


def _parameters(value) -> dict:
    _check_object(value, "filterParameters", PARAMETERS)
    parameters = {}
    for name in ("caseSensitiveComparison", "includePrivate", "includeHierarchyFields"):
        if name in value:
            if not isinstance(value[name], bool):
                raise _invalid(f"filterParameters.{name} must be true or false.", f"filterParameters.{name}")
            parameters[name] = value[name]
    if "asOfDate" in value:
        parameters["asOfDate"] = _day(value["asOfDate"], "filterParameters.asOfDate")
    return parameters


def _fields(value) -> tuple[list[str], list]:
    if not isinstance(value, list) or not value or not all(isinstance(name, str) for name in value):
        raise _invalid("fields must be a non-empty list of field names.", "fields")
    plain, aggregates = [], []
    for index, name in enumerate(value):
        param = f"fields[{index}]"
        if value.index(name) != index:
            raise _invalid(f"{name} is listed twice in fields.", param)
        function, colon, target = name.partition(":")
        if colon:
            if function not in AGGREGATES:
                raise InvalidInput(
                    f"{function!r} is not an aggregate function (count, avg, sum, min, max).",
                    code="unknown_function",
                    param=param,
                )
            scalar = _scalar_field(target, param)
            if function in ("sum", "avg") and scalar.kind != INTEGER:
                raise _invalid(f"{function} needs a number field; {target} is a {scalar.kind}.", param)
            if function in ("min", "max") and scalar.kind == BOOLEAN:
                raise _invalid(f"{function} does not apply to the boolean {target}.", param)
            aggregates.append((name, function, scalar))
        elif name in FIELDS or name in GROUPS or name in LISTS:
            plain.append(name)
        else:
            raise _unknown_field(name, param)
    if plain and aggregates:
        raise _invalid("fields lists either fields or aggregates (count:, avg:, …), not both.", "fields")
    return plain, aggregates


def _filter(body: dict, context: _Context) -> tuple[Q | None, bool]:
    filters = body.get("filters", [])
    if not isinstance(filters, list):
        raise _invalid("filters must be a list of conditions.", "filters")
    conditions, names = [], set()
    for index, item in enumerate(filters):
        condition, name = _condition(item, f"filters[{index}]", context)
        conditions.append(condition)
        names.add(name)
    tree = expression.parse(body.get("filterExpression", "and"), count=len(conditions))
    return expression.evaluate(tree, lambda number: conditions[number - 1]), "status" in names


def _condition(item, param: str, context: _Context) -> tuple[Q, str]:
    if not isinstance(item, dict) or len(item) != 1:
        raise _invalid(
            f'{param} must be one operator with its field, e.g. {{"$eq": {{"status": "active"}}}}.', param
        )
    operator, operand = next(iter(item.items()))
    if operator not in OPERATORS:
        raise InvalidInput(f"{operator!r} is not a filter operator.", code="unknown_operator", param=param)
    param = f"{param}.{operator}"
    if not isinstance(operand, dict) or len(operand) != 1:
        raise _invalid(f"{param} must name one field and its value.", param)
    name, value = next(iter(operand.items()))
    target = _scalar_field(name, param)
    param = f"{param}.{name}"
    if target.kind in (DATE, DATETIME):
        return _date_condition(operator, target, value, param, context), name
    return _scalar_condition(operator, target, value, param, context), name


def _scalar_condition(operator: str, target: Field, value, param: str, context: _Context) -> Q:
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
        raise _invalid(f"{operator} does not apply to the boolean {target.name}.", param)
    if operator in COMPARISONS:
        return Q(**{f"{lookup}__{COMPARISONS[operator]}": _scalar(target, value, param, context)})
    if operator in ("$between", "$notBetween"):
        low, high = (_scalar(target, item, param, context) for item in _list(value, param, length=2))
        condition = Q(**{f"{lookup}__gte": low, f"{lookup}__lte": high})
        return _negated(condition, lookup, operator == "$notBetween")
    if target.kind != STRING:
        raise _invalid(f"{operator} applies to text fields; {target.name} is a {target.kind}.", param)
    match, negated = TEXT_MATCHES[operator]
    return _negated(Q(**{f"{lookup}__{match}": _scalar(target, value, param, context)}), lookup, negated)


def _date_condition(operator: str, target: Field, value, param: str, context: _Context) -> Q:
    lookup = context.use(target)
    if operator in TEXT_MATCHES:
        raise _invalid(f"{operator} applies to text fields; {target.name} is a {target.kind}.", param)
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


def _span(target: Field, value, param: str, context: _Context) -> tuple:
    """Return the half-open [low, high) a date, moment or macro covers (high None: no end)."""
    if isinstance(value, str) and value in MACROS:
        first, last = macro_days(value, as_of=context.as_of, param=param)
    elif target.kind == DATETIME and isinstance(value, str) and len(value) > 10:
        moment = _moment(value, param)
        # Moments print to the second: a moment matches its whole second.
        return moment, moment + datetime.timedelta(seconds=1)
    else:
        first = last = _day(value, param)
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
        raise _invalid(f"{param} must be a date (YYYY-MM-DD), a date-time or a date macro.", param) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day(value, param: str) -> datetime.date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise _invalid(f"{param} must be a date (YYYY-MM-DD) or a date macro ({', '.join(MACROS)}).", param)


def _scalar(target: Field, value, param: str, context: _Context):
    if target.kind == INTEGER:
        if isinstance(value, str) and _INTEGER_TEXT.match(value.strip()):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
            raise _invalid(f"{param} must be an integer.", param)
        return value
    if target.kind == BOOLEAN:
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        if not isinstance(value, bool):
            raise _invalid(f"{param} must be true or false.", param)
        return value
    if not isinstance(value, str):
        raise _invalid(f"{param} must be a string.", param)
    return value if context.case_sensitive else value.lower()


def _list(value, param: str, *, length: int | None = None) -> list:
    if not isinstance(value, list) or not value or (length is not None and len(value) != length):
        shape = f"a list of {length} values" if length else "a non-empty list of values"
        raise _invalid(f"{param} must be {shape}.", param)
    return value


def _order(value, context: _Context) -> list:
    if not isinstance(value, list):
        raise _invalid('orderBy must be a list like [{"id": "asc"}].', "orderBy")
    order = []
    for index, item in enumerate(value):
        param = f"orderBy[{index}]"
        if not isinstance(item, dict) or len(item) != 1:
            raise _invalid(f'{param} must name one field and "asc" or "desc".', param)
        name, direction = next(iter(item.items()))
        target = _scalar_field(name, param)
        if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
            raise _invalid(f'{param}.{name} must be "asc" or "desc".', f"{param}.{name}")
        context.annotations[target.alias] = target.expression(context.today)
        order.append(("-" if direction.lower() == "desc" else "") + target.alias)
    return order


def _position(value, name: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _invalid(f"{name} must be an integer from {minimum} to {maximum}.", name)
    return value


def _scalar_field(name, param: str) -> Field:
    if not isinstance(name, str):
        raise _unknown_field(name, param)
    if name in FIELDS:
        return FIELDS[name]
    if name in GROUPS or name in LISTS:
        raise _invalid(f"{name} holds several values: name one of them (e.g. rollover.isEnabled).", param)
    raise _unknown_field(name, param)


def _check_object(value, param: str | None, allowed) -> None:
    if not isinstance(value, dict):
        raise _invalid(f"{param or 'The body'} must be a JSON object.", param)
    for name in value:
        if name not in allowed:
            where = f"{param}.{name}" if param else name
            raise InvalidInput(
                f"{where} is not a parameter of the query service.", code="unknown_parameter", param=where
            )


def _unknown_field(name, param: str) -> InvalidInput:
    return InvalidInput(f"{name!r} is not a field of {OBJECT}.", code="unknown_field", param=param)


def _invalid(message: str, param: str | None) -> InvalidInput:
    return InvalidInput(message, code="parameter_invalid", param=param)
