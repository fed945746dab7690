"""The fields of company-config/document-sequence as the query service sees them: ORM expressions and types.

Every field is an annotation on the Sequence queryset, so filters, sorting and aggregates run in SQL;
`nextNumber` is a subquery on the period that holds today (the selector's rule, read in one statement).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from numbering.models import NumberingPeriod, Sequence

OBJECT = "company-config/document-sequence"
HREF_PREFIX = f"/objects/{OBJECT}/"

STRING, INTEGER, BOOLEAN, DATE, DATETIME = "string", "integer", "boolean", "date", "datetime"
ALPHA = Q(type=Sequence.Type.ALPHA)


def render_datetime(value: datetime.datetime | None) -> str | None:
    """Render a moment as Intacct does: UTC, whole seconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _render_date(value):
    return None if value is None else value.isoformat()


def _render_text(value):
    return None if value is None else str(value)


def _same(value):
    return value


@dataclass(frozen=True)
class Field:
    """A queryable field: its type, its SQL expression (given today's date) and how a value prints."""

    name: str
    kind: str
    expression: Callable[[datetime.date], object]
    render: Callable = _same

    @property
    def alias(self) -> str:
        """Return the annotation name (no dots or double underscores, which Django reads as lookups)."""
        return "ia_" + self.name.replace(".", "_")


def _column(name: str):
    return lambda today: F(name)


def _numeric_only(name: str):
    return lambda today: Case(When(ALPHA, then=Value(None)), default=F(name), output_field=BigIntegerField())


def _alpha_text(name: str):
    return lambda today: Case(When(ALPHA, then=NullIf(F(name), Value(""))), default=Value(None))


def next_value(today: datetime.date):
    """Return the value the next number for a document dated `today` takes (numbering.selectors' rule)."""
    holds_today = NumberingPeriod.objects.filter(sequence=OuterRef("pk"), start__lte=today, end__gte=today)
    # The never-reset counter ("all") of a sequence that started resetting serves only earlier dates.
    period = holds_today.filter(
        Q(start__gt=datetime.date.min)
        | Q(sequence__reset_from__isnull=True)
        | Q(sequence__reset_from__gt=today)
    )
    last = Subquery(period.order_by("-start").values("last_value")[:1], output_field=BigIntegerField())
    return Coalesce(last + 1, F("starting_number"), output_field=BigIntegerField())


def _next_number(today):
    return Case(When(ALPHA, then=Value(None)), default=next_value(today), output_field=BigIntegerField())


def _next_sequence(today):
    letters = Func(next_value(today), Value(0), function="numbering_alpha_text", output_field=TextField())
    return Case(When(ALPHA, then=letters), default=Value(None), output_field=TextField())


def _rollover_enabled(today):
    enabled = When(reset=Sequence.Reset.FISCAL_YEAR, then=Value(True))
    return Case(enabled, default=Value(False), output_field=BooleanField())


def _href(today):
    return Concat(Value(HREF_PREFIX), Cast("key", CharField()), output_field=CharField())


_FIELDS = [
    Field("key", INTEGER, _column("key"), _render_text),
    Field("id", STRING, _column("name")),
    Field("printTitle", STRING, _column("print_title")),
    Field("type", STRING, _column("type")),
    Field("fixedLength", INTEGER, _column("fixed_length"), _render_text),
    Field("fixedPrefix", STRING, _column("fixed_prefix")),
    Field("prefixSeparator", STRING, _column("prefix_separator")),
    Field("fixedSuffix", STRING, _column("fixed_suffix")),
    Field("suffixSeparator", STRING, _column("suffix_separator")),
    Field("startingNumber", INTEGER, _numeric_only("starting_number")),
    Field("endingNumber", INTEGER, _numeric_only("ending_number")),
    Field("nextNumber", INTEGER, _next_number),
    Field("startingSequence", STRING, _alpha_text("starting_sequence")),
    Field("endingSequence", STRING, _alpha_text("ending_sequence")),
    Field("nextSequence", STRING, _next_sequence),
    Field("whenModified", DATETIME, _column("updated_at"), render_datetime),
    Field("status", STRING, _column("status")),
    Field("rollover.isEnabled", BOOLEAN, _rollover_enabled),
    Field("rollover.enabledDate", DATE, _column("rollover_enabled_date"), _render_date),
    Field("rollover.fiscalYearAffixPosition", STRING, _column("fiscal_year_affix")),
    Field("rollover.separator", STRING, _column("fiscal_year_separator")),
    Field("audit.createdDateTime", DATETIME, _column("created_at"), render_datetime),
    Field("audit.modifiedDateTime", DATETIME, _column("updated_at"), render_datetime),
    Field("audit.createdBy", STRING, _column("created_by")),
    Field("audit.modifiedBy", STRING, _column("modified_by")),
    Field("href", STRING, _href),
]

FIELDS: dict[str, Field] = {field.name: field for field in _FIELDS}
# Fields made of others, for `fields` only (not filtered or sorted): an object or a list per sequence.
GROUPS = {
    "rollover": [name for name in FIELDS if name.startswith("rollover.")],
    "audit": [name for name in FIELDS if name.startswith("audit.")],
}
LISTS = ("fiscalYears",)
