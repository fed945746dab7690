"""The renderer: every token, padding that never truncates, alpha numbers, structured layouts."""

import datetime

import pytest

from erp.exceptions import InvalidInput
from numbering.rendering import (
    alpha_from_value,
    alpha_to_value,
    fiscal_year_of,
    format_parse,
    layout_format,
    render,
    value_text,
)

MARCH_5 = datetime.date(2026, 3, 5)


def draw(fmt, value=7, on=MARCH_5, start_month=1, alpha=False):
    return render(fmt, value=value, on=on, fiscal_year_start_month=start_month, alpha=alpha)


@pytest.mark.parametrize(
    "token, expected",
    [("{yyyy}", "2026"), ("{yy}", "26"), ("{MM}", "03"), ("{dd}", "05"), ("{fy}", "2026")],
)
def test_each_date_token_renders_its_part_of_the_document_date(token, expected):
    assert draw(f"{token}|{{n}}") == f"{expected}|7"


@pytest.mark.parametrize(
    "token, expected", [("{n}", "7"), ("{i1}", "7"), ("{i4}", "0007"), ("{i16}", "0000000000000007")]
)
def test_each_number_token_renders_the_value(token, expected):
    assert draw(token) == expected


def test_a_portos_format_renders_literal_text_around_the_tokens():
    assert draw("V-{yyyy}{MM}{i4}", value=12) == "V-2026030012"
    assert draw("FA-{yyyy}{i4}", value=8) == "FA-20260008"


def test_padding_is_a_minimum_and_never_truncates():
    assert draw("{i3}", value=12345) == "12345"
    assert value_text(12345, width=3, alpha=False) == "12345"


def test_doubled_braces_are_literal_braces():
    assert draw("{{x}}-{n}") == "{x}-7"


def test_fiscal_year_is_named_by_the_year_it_ends_in():
    # July start: 2026-07-01..2027-06-30 is FY2027.
    assert fiscal_year_of(datetime.date(2026, 6, 30), start_month=7) == 2026
    assert fiscal_year_of(datetime.date(2026, 7, 1), start_month=7) == 2027
    assert fiscal_year_of(datetime.date(2026, 12, 31), start_month=1) == 2026
    assert draw("{fy}-{n}", on=datetime.date(2026, 8, 1), start_month=7) == "2027-7"


@pytest.mark.parametrize(
    "value, letters",
    [(1, "a"), (2, "b"), (26, "z"), (27, "ba"), (52, "bz"), (53, "ca"), (26 * 26 + 1, "baa")],
)
def test_alpha_values_count_like_an_odometer_whose_zero_is_a(value, letters):
    assert alpha_from_value(value) == letters
    assert alpha_to_value(letters) == value


def test_alpha_padding_prepends_as_and_leading_as_are_zeros():
    assert value_text(2, width=3, alpha=True) == "aab"
    assert alpha_to_value("aab") == alpha_to_value("b") == 2
    assert draw("X-{i3}", value=28, alpha=True) == "X-abb"
    assert draw("{n}", value=28, alpha=True) == "bb"


def test_alpha_increments_across_a_letter_boundary():
    assert [value_text(v, width=2, alpha=True) for v in (25, 26, 27, 28)] == ["ay", "az", "ba", "bb"]


@pytest.mark.parametrize(
    "fmt, code",
    [
        ("INV-{x}-{n}", "unknown_format_token"),
        ("INV-{i0}", "unknown_format_token"),
        ("INV-{i17}", "unknown_format_token"),
        ("INV-{mm}{n}", "unknown_format_token"),
        ("INV-{n", "unknown_format_token"),
        ("INV-}{n}", "unknown_format_token"),
        ("INV-{yyyy}", "format_missing_number"),
        ("", "format_missing_number"),
        ("{n}-{i4}", "format_multiple_numbers"),
    ],
)
def test_bad_formats_are_rejected_with_a_code_and_param(fmt, code):
    with pytest.raises(InvalidInput) as raised:
        format_parse(fmt)
    assert (raised.value.code, raised.value.param) == (code, "format")


@pytest.mark.parametrize(
    "layout, expected",
    [
        ({"fixed_prefix": "INV", "prefix_separator": "-", "fixed_length": 6}, "INV-{i6}"),
        (
            {
                "fixed_prefix": "INV",
                "prefix_separator": "-",
                "fixed_length": 6,
                "fiscal_year_affix": "prefix",
                "fiscal_year_separator": "-",
            },
            "{fy}-INV-{i6}",
        ),
        (
            {
                "fixed_prefix": "P",
                "prefix_separator": "-",
                "fixed_suffix": "S",
                "suffix_separator": "-",
                "fixed_length": 4,
                "fiscal_year_affix": "suffix",
                "fiscal_year_separator": "/",
            },
            "P-{i4}-S/{fy}",
        ),
        ({"prefix_separator": "-", "suffix_separator": "-"}, "{n}"),
        ({"fixed_prefix": "A{B}"}, "A{{B}}{n}"),
        ({"fixed_prefix": "INV", "fixed_length": 7}, "INV{i7}"),
    ],
)
def test_structured_layouts_map_to_an_equivalent_format(layout, expected):
    fmt = layout_format(**layout)
    assert fmt == expected
    format_parse(fmt)  # always a valid format


def test_intacct_sample_renders_as_documented():
    fmt = layout_format(
        fixed_prefix="P",
        prefix_separator="-",
        fixed_suffix="S",
        suffix_separator="-",
        fixed_length=4,
        fiscal_year_affix="prefix",
        fiscal_year_separator="-",
    )
    assert draw(fmt, value=1, on=datetime.date(2024, 2, 14)) == "2024-P-0001-S"
