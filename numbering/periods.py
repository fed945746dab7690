"""Numbering periods: which counter a document date belongs to.

The document's date picks the period, never today. Resets:
- never: one period "all" covering every date;
- fiscal_year: the entity's fiscal years, named by the calendar year they end in ("FY2027");
- calendar_year: "2026"; month: "2026-03";
- custom: N months or N years, tiled from an anchor: the sequence's period_anchor, or
  January 1 of the year the sequence was created.
A sequence that started resetting after it had numbered documents (reset_from) keeps its old,
never-reset counter ("all") for documents dated before reset_from; later dates use the new periods.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

from erp.exceptions import RuleViolation
from erp.models import Entity
from numbering.rendering import date_key, format_tokens

ALL_DATES = (datetime.date.min, datetime.date.max)
# The calendar repeats (every 400 years), so checking a window inside these loses nothing near the ends.
_SAFE_FIRST = datetime.date(1000, 1, 1)
_SAFE_LAST = datetime.date(9000, 12, 31)


@dataclass(frozen=True)
class PeriodBounds:
    """One period of a sequence: inclusive dates and a human label."""

    start: datetime.date
    end: datetime.date
    label: str


@dataclass(frozen=True)
class PeriodRule:
    """Everything that decides a sequence's periods (a sequence, or one being validated)."""

    reset: str
    fiscal_year_start_month: int
    period_unit: str = ""
    period_amount: int | None = None
    anchor: datetime.date | None = None
    reset_from: datetime.date | None = None


# Fiscal year start months never change after an entity is created (entity_update refuses it),
# so issuing can skip a query for them once seen.
_FISCAL_START_MONTHS: dict = {}


def fiscal_year_start_month_of(sequence) -> int:
    """Return the fiscal year start month of a sequence's entity."""
    entity_id = sequence.entity_id
    month = _FISCAL_START_MONTHS.get(entity_id)
    if month is None:
        if type(sequence).entity.is_cached(sequence):
            month = sequence.entity.fiscal_year_start_month
        else:
            month = Entity.objects.values_list("fiscal_year_start_month", flat=True).get(pk=entity_id)
        _FISCAL_START_MONTHS[entity_id] = month
    return month


def period_rule(sequence, *, fiscal_year_start_month: int | None = None) -> PeriodRule:
    """Return the period rule of a sequence (saved or not)."""
    if fiscal_year_start_month is None:
        fiscal_year_start_month = fiscal_year_start_month_of(sequence)
    anchor = sequence.period_anchor
    if anchor is None and sequence.reset == "custom":
        created = (
            timezone.localtime(sequence.created_at).date() if sequence.created_at else timezone.localdate()
        )
        anchor = datetime.date(created.year, 1, 1)
    return PeriodRule(
        reset=sequence.reset,
        fiscal_year_start_month=fiscal_year_start_month,
        period_unit=sequence.period_unit,
        period_amount=sequence.period_amount,
        anchor=anchor,
        reset_from=sequence.reset_from,
    )


def period_bounds(rule: PeriodRule, on: datetime.date) -> PeriodBounds:
    """Return the period a document date falls in (before reset_from: the old, never-reset counter)."""
    if rule.reset_from is not None and on < rule.reset_from:
        return PeriodBounds(*ALL_DATES, "all")
    try:
        return _bounds(rule, on)
    except (OverflowError, ValueError):
        # Only at the calendar's ends (year 1 or 9999), where a period would begin or end outside it.
        raise RuleViolation(
            f"{on.isoformat()} is too close to the ends of the calendar for this sequence's periods.",
            code="date_out_of_range",
            param="date",
        ) from None


def _bounds(rule: PeriodRule, on: datetime.date) -> PeriodBounds:
    if rule.reset == "never":
        return PeriodBounds(*ALL_DATES, "all")
    if rule.reset == "calendar_year":
        return PeriodBounds(datetime.date(on.year, 1, 1), datetime.date(on.year, 12, 31), str(on.year))
    if rule.reset == "month":
        return _month(on.year, on.month)
    if rule.reset == "fiscal_year":
        month = rule.fiscal_year_start_month
        first_year = on.year if on.month >= month else on.year - 1
        start = datetime.date(first_year, month, 1)
        end = add_months(start, 12) - datetime.timedelta(days=1)
        return PeriodBounds(start, end, f"FY{end.year}")
    return _custom(rule, on)


def _month(year: int, month: int) -> PeriodBounds:
    last = calendar.monthrange(year, month)[1]
    return PeriodBounds(
        datetime.date(year, month, 1), datetime.date(year, month, last), f"{year}-{month:02d}"
    )


def _custom(rule: PeriodRule, on: datetime.date) -> PeriodBounds:
    step = rule.period_amount * (12 if rule.period_unit == "year" else 1)
    anchor = rule.anchor
    months = (on.year - anchor.year) * 12 + on.month - anchor.month
    k = months // step
    # Day-of-month clamping (an anchor on the 31st) can put `on` one period off; correct it.
    while on < add_months(anchor, k * step):
        k -= 1
    while on >= add_months(anchor, (k + 1) * step):
        k += 1
    start = add_months(anchor, k * step)
    end = add_months(anchor, (k + 1) * step) - datetime.timedelta(days=1)
    return PeriodBounds(start, end, _custom_label(start, end))


def _custom_label(start: datetime.date, end: datetime.date) -> str:
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    whole_month = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_month and (end.year, end.month) == (start.year, start.month):
        return f"{start.year}-{start.month:02d}"
    return f"{start.isoformat()}..{end.isoformat()}"


def add_months(on: datetime.date, months: int) -> datetime.date:
    """Return the date `months` later, the day clamped to the target month's length."""
    index = on.year * 12 + on.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


def periods_distinguishable(rule: PeriodRule, fmt: str) -> bool:
    """Return whether a format renders every period differently, so numbers stay unique.

    Walks every day of a window spanning two whole periods plus a year on each side (the calendar
    repeats beyond it) and fails if two days of different periods reveal the same date parts.
    """
    if rule.reset == "never":
        return True
    tokens = format_tokens(fmt)
    if tokens & {"yyyy", "yy"} and {"MM", "dd"} <= tokens:
        return True  # the full date is printed: different periods cannot collide
    if rule.reset == "custom":
        step_days = 31 * rule.period_amount * (12 if rule.period_unit == "year" else 1)
        first = min(max(rule.anchor, _SAFE_FIRST), _SAFE_LAST) - datetime.timedelta(days=400 + step_days)
    else:
        step_days = 366
        first = datetime.date(2000, 1, 1)
    last = first + datetime.timedelta(days=2 * step_days + 800)
    seen: dict = {}
    day = first
    one = datetime.timedelta(days=1)
    while day <= last:
        key = date_key(tokens, day, fiscal_year_start_month=rule.fiscal_year_start_month)
        start = _bounds(rule, day).start
        if seen.setdefault(key, start) != start:
            return False
        day += one
    return True
