"""Period rules: the document date picks the period, boundaries, fiscal years, custom tiling."""

import datetime

import pytest

from numbering.periods import PeriodRule, period_bounds, periods_distinguishable

D = datetime.date


def bounds(on, **rule):
    rule.setdefault("fiscal_year_start_month", 1)
    result = period_bounds(PeriodRule(**rule), on)
    return result.start, result.end, result.label


def test_never_has_one_period_for_all_dates():
    assert bounds(D(1999, 1, 1), reset="never")[2] == "all"
    assert bounds(D(1999, 1, 1), reset="never") == bounds(D(2099, 12, 31), reset="never")


def test_fiscal_year_with_a_july_start_is_named_by_its_end_year():
    july = {"reset": "fiscal_year", "fiscal_year_start_month": 7}
    assert bounds(D(2026, 6, 30), **july) == (D(2025, 7, 1), D(2026, 6, 30), "FY2026")
    assert bounds(D(2026, 7, 1), **july) == (D(2026, 7, 1), D(2027, 6, 30), "FY2027")
    assert bounds(D(2027, 2, 28), **july)[2] == "FY2027"


def test_fiscal_year_with_a_january_start_is_the_calendar_year():
    assert bounds(D(2026, 12, 31), reset="fiscal_year") == (D(2026, 1, 1), D(2026, 12, 31), "FY2026")


@pytest.mark.parametrize(
    "on, label",
    [(D(2025, 12, 31), "2025"), (D(2026, 1, 1), "2026"), (D(2026, 12, 31), "2026")],
)
def test_calendar_year_boundaries(on, label):
    assert bounds(on, reset="calendar_year")[2] == label


@pytest.mark.parametrize(
    "on, expected",
    [
        (D(2026, 2, 28), (D(2026, 2, 1), D(2026, 2, 28), "2026-02")),
        (D(2026, 3, 1), (D(2026, 3, 1), D(2026, 3, 31), "2026-03")),
        (D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 29), "2024-02")),
    ],
)
def test_month_boundaries_last_and_first_day(on, expected):
    assert bounds(on, reset="month") == expected


def test_custom_quarters_tile_from_the_anchor_in_both_directions():
    quarters = {"reset": "custom", "period_unit": "month", "period_amount": 3, "anchor": D(2026, 1, 1)}
    assert bounds(D(2026, 3, 31), **quarters) == (D(2026, 1, 1), D(2026, 3, 31), "2026-01-01..2026-03-31")
    assert bounds(D(2026, 4, 1), **quarters)[0] == D(2026, 4, 1)
    assert bounds(D(2025, 12, 31), **quarters) == (D(2025, 10, 1), D(2025, 12, 31), "2025-10-01..2025-12-31")


def test_custom_yearly_and_monthly_periods_get_the_short_labels():
    yearly = {"reset": "custom", "period_unit": "year", "period_amount": 1, "anchor": D(2022, 1, 1)}
    monthly = {"reset": "custom", "period_unit": "month", "period_amount": 1, "anchor": D(2023, 1, 1)}
    assert bounds(D(2023, 5, 5), **yearly)[2] == "2023"
    assert bounds(D(2023, 5, 5), **monthly)[2] == "2023-05"


def test_custom_periods_anchored_mid_month_run_to_the_day_before_the_next_start():
    rule = {"reset": "custom", "period_unit": "month", "period_amount": 1, "anchor": D(2026, 1, 31)}
    assert bounds(D(2026, 2, 27), **rule)[:2] == (D(2026, 1, 31), D(2026, 2, 27))
    assert bounds(D(2026, 2, 28), **rule)[:2] == (D(2026, 2, 28), D(2026, 3, 30))


def test_custom_periods_tile_backwards_from_their_anchor_too():
    rule = {"reset": "custom", "period_unit": "month", "period_amount": 1, "anchor": D(2026, 3, 15)}
    assert bounds(D(2026, 3, 15), **rule)[:2] == (D(2026, 3, 15), D(2026, 4, 14))
    assert bounds(D(2026, 3, 14), **rule)[:2] == (D(2026, 2, 15), D(2026, 3, 14))


def test_dates_before_reset_from_keep_the_old_never_reset_counter():
    rule = {"reset": "fiscal_year", "reset_from": D(2024, 2, 14)}
    assert bounds(D(2024, 2, 13), **rule) == (datetime.date.min, datetime.date.max, "all")
    assert bounds(D(2024, 2, 14), **rule)[2] == "FY2024"
    assert bounds(D(2025, 1, 1), **rule)[2] == "FY2025"


@pytest.mark.parametrize(
    "rule, fmt, distinguishable",
    [
        ({"reset": "never"}, "{n}", True),
        ({"reset": "month"}, "T-{yyyy}{MM}{i4}", True),
        ({"reset": "month"}, "T-{yy}{MM}{i4}", True),
        ({"reset": "month"}, "T-{yyyy}{i4}", False),
        ({"reset": "month"}, "T-{MM}{i4}", False),
        ({"reset": "month"}, "T-{fy}{MM}{i4}", True),
        ({"reset": "calendar_year"}, "FA-{yyyy}{i4}", True),
        ({"reset": "calendar_year"}, "FA-{MM}{i4}", False),
        ({"reset": "fiscal_year"}, "{fy}-{i4}", True),
        ({"reset": "fiscal_year"}, "{yyyy}-{i4}", True),  # January fiscal years are calendar years
        ({"reset": "fiscal_year", "fiscal_year_start_month": 7}, "{yyyy}-{i4}", False),
        ({"reset": "fiscal_year", "fiscal_year_start_month": 7}, "{yyyy}{MM}-{i4}", True),
        ({"reset": "fiscal_year"}, "INV-{i4}", False),
        (
            {"reset": "custom", "period_unit": "year", "period_amount": 1, "anchor": D(2022, 1, 1)},
            "FA-{yyyy}{i4}",
            True,
        ),
        (
            {"reset": "custom", "period_unit": "year", "period_amount": 1, "anchor": D(2022, 4, 1)},
            "FA-{yyyy}{i4}",
            False,
        ),
        (
            {"reset": "custom", "period_unit": "month", "period_amount": 3, "anchor": D(2026, 1, 1)},
            "Q-{yyyy}{MM}{i4}",
            True,
        ),
        (
            {"reset": "custom", "period_unit": "year", "period_amount": 2, "anchor": D(2026, 1, 1)},
            "B-{MM}{i4}",
            False,
        ),
    ],
)
def test_a_resetting_format_must_tell_its_periods_apart(rule, fmt, distinguishable):
    rule.setdefault("fiscal_year_start_month", 1)
    assert periods_distinguishable(PeriodRule(**rule), fmt) is distinguishable
