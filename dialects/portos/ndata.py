"""NData, the query syntax of PORTOS lists: $skip, $take, $sort, $count and filters (docs/dialects.md).

Grammar, per query parameter::

    filter  := term (";" term)*            -- a parameter may also be repeated; every term is ANDed
    term    := value                       -- a bare value means eq:value
             | operator ":" arg (":" arg)* -- eq neq lt lte gt gte take one arg, in nin one or more
    $sort   := key ("," key)*              -- the parameter may also be repeated
    key     := ["-"] name [":" ("asc" | "desc")]   -- name case-insensitive; "-" means descending
    $skip, $take := digits                 -- $take at most 1000; no $take: every item
    $count  := "true" | "false"

Filters become ORM Q objects over stored columns (never SQL text); sorting and paging are applied by
the caller with `sort_rows`, which always ends on a unique key so pages never overlap or skip.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q

from erp.exceptions import InvalidInput

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "in", "nin")
MULTI_ARG_OPERATORS = ("in", "nin")
MAX_TAKE = 1000
PAGING_PARAMS = ("$skip", "$take", "$sort", "$count")
_DIGITS = re.compile(r"[0-9]{1,18}")


class Filter:
    """A filterable property: how to read an argument, and how one comparison reads in the ORM."""

    def parse(self, text: str):
        """Return the stored value an argument names; raise ValueError for a bad one."""
        raise NotImplementedError

    def compare(self, operator: str, value) -> Q:
        """Return the Q of `property <operator> value` for eq, lt, lte, gt, gte."""
        raise NotImplementedError


@dataclass(frozen=True)
class TextFilter(Filter):
    """A text column compared as text; `pattern` says which arguments are valid."""

    column: str
    pattern: re.Pattern
    description: str

    def parse(self, text: str):
        if not self.pattern.fullmatch(text):
            raise ValueError(f"expected {self.description}")
        return text

    def compare(self, operator: str, value) -> Q:
        lookup = "exact" if operator == "eq" else operator
        return Q(**{f"{self.column}__{lookup}": value})


@dataclass(frozen=True)
class ChoiceFilter(Filter):
    """A property with a few values in a known order, each stored as one column value.

    Order comparisons become `column IN (the values on that side)`, so they follow the declared order
    (false < true; an enum's declaration order) and still use the column's index.
    """

    column: str
    choices: tuple[tuple[str, str], ...]  # (what the client writes, what is stored), in order

    def parse(self, text: str):
        for written, stored in self.choices:
            if text.lower() == written.lower():
                return stored
        raise ValueError("expected one of " + ", ".join(written for written, _ in self.choices))

    def compare(self, operator: str, value) -> Q:
        if operator == "eq":
            return Q(**{self.column: value})
        stored = [stored for _, stored in self.choices]
        position = stored.index(value)
        keep = {
            "lt": lambda i: i < position,
            "lte": lambda i: i <= position,
            "gt": lambda i: i > position,
            "gte": lambda i: i >= position,
        }[operator]
        return Q(**{f"{self.column}__in": [value for i, value in enumerate(stored) if keep(i)]})


@dataclass(frozen=True)
class Query:
    """A parsed NData query: the filter, the sort keys, the page and whether only counts are wanted."""

    where: Q
    sort: tuple[tuple[str, bool], ...]  # (canonical key, descending)
    skip: int
    take: int | None
    count_only: bool


def query_parse(params, *, filters: dict[str, Filter], sort_keys: Iterable[str]) -> Query:
    """Parse a request's query parameters (a QueryDict) into a Query; anything unknown or bad is a 400."""
    for name in params:
        if name not in filters and name not in PAGING_PARAMS:
            raise InvalidInput(
                f"Unknown query parameter {name!r}. Filters: {', '.join(filters)}; paging: "
                f"{', '.join(PAGING_PARAMS)}.",
                code="unknown_parameter",
                param=name,
            )
    conditions = [
        _term_q(term, name, filters[name])
        for name in filters
        for raw in params.getlist(name)
        for term in raw.split(";")
    ]
    return Query(
        where=reduce(and_, conditions, Q()),
        sort=_sort_parse(params.getlist("$sort"), sort_keys),
        skip=_whole(params, "$skip", default=0),
        take=_whole(params, "$take", default=None, maximum=MAX_TAKE),
        count_only=_boolean(params, "$count"),
    )


def sort_rows(
    rows: Sequence, sort: Iterable[tuple[str, bool]], *, keys: dict[str, Callable], unique: Callable
) -> list:
    """Return rows sorted by the query's keys, then by a unique key, so any page slice is stable."""
    ordered = sorted(rows, key=unique)
    # Stable sorts applied from the least significant key to the most significant one.
    for name, descending in reversed(tuple(sort)):
        ordered.sort(key=keys[name], reverse=descending)
    return ordered


def _term_q(term: str, name: str, spec: Filter) -> Q:
    if term == "":
        raise InvalidInput(f"{name} has an empty filter term.", code="parameter_invalid", param=name)
    head, colon, rest = term.partition(":")
    if not colon:
        return spec.compare("eq", _argument(spec, term, name))
    operator = head.lower()
    if operator not in OPERATORS:
        raise InvalidInput(
            f"Unknown NData operator {head!r} in {name}. Operators: {', '.join(OPERATORS)}.",
            code="unknown_operator",
            param=name,
        )
    args = [_argument(spec, arg, name) for arg in rest.split(":")]
    if operator not in MULTI_ARG_OPERATORS and len(args) != 1:
        raise InvalidInput(
            f"{operator} takes exactly one argument ({name}={term!r}).", code="parameter_invalid", param=name
        )
    if operator in ("in", "nin"):
        matched = reduce(or_, (spec.compare("eq", arg) for arg in args))
        return matched if operator == "in" else ~matched
    if operator == "neq":
        return ~spec.compare("eq", args[0])
    return spec.compare(operator, args[0])


def _argument(spec: Filter, text: str, name: str):
    try:
        return spec.parse(text)
    except ValueError as error:
        raise InvalidInput(
            f"{name}: {text!r} is not a valid value ({error}).", code="parameter_invalid", param=name
        ) from None


def _sort_parse(values: list[str], sort_keys: Iterable[str]) -> tuple[tuple[str, bool], ...]:
    canonical = {key.lower(): key for key in sort_keys}
    seen: dict[str, bool] = {}
    for value in values:
        for item in value.split(","):
            text = item.strip()
            descending = text.startswith("-")
            text = text.removeprefix("-")
            name, colon, direction = text.partition(":")
            if colon:
                if descending or direction.lower() not in ("asc", "desc"):
                    raise InvalidInput(
                        f"$sort: {item!r} is not KEY, -KEY, KEY:asc or KEY:desc.",
                        code="parameter_invalid",
                        param="$sort",
                    )
                descending = direction.lower() == "desc"
            key = canonical.get(name.strip().lower())
            if key is None:
                raise InvalidInput(
                    f"$sort: unknown key {name.strip()!r}. Keys: {', '.join(canonical.values())}.",
                    code="unknown_sort_key",
                    param="$sort",
                )
            if key in seen:
                raise InvalidInput(f"$sort lists {key} twice.", code="parameter_invalid", param="$sort")
            seen[key] = descending
    return tuple(seen.items())


def _single(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise InvalidInput(f"{name} is given more than once.", code="parameter_invalid", param=name)
    return values[0] if values else None


def _whole(params, name: str, *, default, maximum: int | None = None):
    text = _single(params, name)
    if text is None:
        return default
    if not _DIGITS.fullmatch(text) or (maximum is not None and int(text) > maximum):
        limit = f" up to {maximum}" if maximum is not None else ""
        raise InvalidInput(
            f"{name} must be a whole number{limit}, not {text!r}.", code="parameter_invalid", param=name
        )
    return int(text)


def _boolean(params, name: str) -> bool:
    text = _single(params, name)
    if text is None:
        return False
    if text.lower() not in ("true", "false"):
        raise InvalidInput(
            f"{name} must be true or false, not {text!r}.", code="parameter_invalid", param=name
        )
    return text.lower() == "true"
