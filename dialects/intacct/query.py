"""The query service (POST /services/core/query): a body parsed into fields, filters, order and a page."""

from django.db.models import Avg, Count, Max, Min, Q, Sum
from django.utils import timezone

from erp.exceptions import InvalidInput
from erp.models import Entity
from numbering import selectors

from . import expression
from .catalog import BOOLEAN, FIELDS, GROUPS, INTEGER, LISTS, OBJECT, Field
from .fields import fiscal_years_of
from .filters import MAX_FILTERS, MAX_INTEGER, Context, condition, day, invalid, scalar_field, unknown_field

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
AGGREGATES = {"count": Count, "avg": Avg, "sum": Sum, "min": Min, "max": Max}


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
    context = Context(
        as_of=parameters.get("asOfDate", today),
        today=today,
        case_sensitive=parameters.get("caseSensitiveComparison", True),
    )
    plain, aggregates = _fields(body.get("fields", DEFAULT_FIELDS))
    where, filters_status = _filter(body, context)
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
    if where is not None:
        queryset = queryset.filter(where)
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
                raise invalid(f"filterParameters.{name} must be true or false.", f"filterParameters.{name}")
            parameters[name] = value[name]
    if "asOfDate" in value:
        parameters["asOfDate"] = day(value["asOfDate"], "filterParameters.asOfDate")
    return parameters


def _fields(value) -> tuple[list[str], list]:
    if not isinstance(value, list) or not value or not all(isinstance(name, str) for name in value):
        raise invalid("fields must be a non-empty list of field names.", "fields")
    plain, aggregates = [], []
    for index, name in enumerate(value):
        param = f"fields[{index}]"
        if value.index(name) != index:
            raise invalid(f"{name} is listed twice in fields.", param)
        function, colon, target = name.partition(":")
        if colon:
            if function not in AGGREGATES:
                raise InvalidInput(
                    f"{function!r} is not an aggregate function (count, avg, sum, min, max).",
                    code="unknown_function",
                    param=param,
                )
            scalar = scalar_field(target, param)
            if function in ("sum", "avg") and scalar.kind != INTEGER:
                raise invalid(f"{function} needs a number field; {target} is a {scalar.kind}.", param)
            if function in ("min", "max") and scalar.kind == BOOLEAN:
                raise invalid(f"{function} does not apply to the boolean {target}.", param)
            aggregates.append((name, function, scalar))
        elif name in FIELDS or name in GROUPS or name in LISTS:
            plain.append(name)
        else:
            raise unknown_field(name, param)
    if plain and aggregates:
        raise invalid("fields lists either fields or aggregates (count:, avg:, …), not both.", "fields")
    return plain, aggregates


def _filter(body: dict, context: Context) -> tuple[Q | None, bool]:
    filters = body.get("filters", [])
    if not isinstance(filters, list):
        raise invalid("filters must be a list of conditions.", "filters")
    if len(filters) > MAX_FILTERS:
        raise invalid(f"filters holds at most {MAX_FILTERS} conditions.", "filters")
    conditions, names = [], set()
    for index, item in enumerate(filters):
        where, name = condition(item, f"filters[{index}]", context)
        conditions.append(where)
        names.add(name)
    tree = expression.parse(body.get("filterExpression", "and"), count=len(conditions))
    return expression.evaluate(tree, lambda number: conditions[number - 1]), "status" in names


def _order(value, context: Context) -> list:
    if not isinstance(value, list):
        raise invalid('orderBy must be a list like [{"id": "asc"}].', "orderBy")
    order = []
    for index, item in enumerate(value):
        param = f"orderBy[{index}]"
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid(f'{param} must name one field and "asc" or "desc".', param)
        name, direction = next(iter(item.items()))
        target = scalar_field(name, param)
        if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
            raise invalid(f'{param}.{name} must be "asc" or "desc".', f"{param}.{name}")
        context.annotations[target.alias] = target.expression(context.today)
        order.append(("-" if direction.lower() == "desc" else "") + target.alias)
    return order


def _position(value, name: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise invalid(f"{name} must be an integer from {minimum} to {maximum}.", name)
    return value


def _check_object(value, param: str | None, allowed) -> None:
    if not isinstance(value, dict):
        raise invalid(f"{param or 'The body'} must be a JSON object.", param)
    for name in value:
        if name not in allowed:
            where = f"{param}.{name}" if param else name
            raise InvalidInput(
                f"{where} is not a parameter of the query service.", code="unknown_parameter", param=where
            )
