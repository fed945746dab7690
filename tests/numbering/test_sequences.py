"""Configuring sequences: validation (code + param), PATCH updates, versions, periods set ahead, delete."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from erp.exceptions import Conflict, InvalidInput, RuleViolation
from erp.models import Activity
from numbering.models import CounterEvent, NumberingPeriod, Sequence
from numbering.services import (
    period_create,
    sequence_create,
    sequence_delete,
    sequence_issue_next,
    sequence_update,
)
from tests.erp.factories import EntityFactory
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_new_entity_gets_arcus_shaped_default_sequences(entity):
    defaults = {s.counter_type: s for s in Sequence.objects.filter(entity=entity)}
    assert set(defaults) == {"invoice", "vendor_bill", "vendor_credit", "ap_payment", "journal"}
    invoice = defaults["invoice"]
    assert (invoice.fixed_prefix, invoice.fixed_length, invoice.reset) == ("INV", 7, "never")
    assert invoice.effective_format == "INV{i7}"
    assert sequence_issue_next(sequence=invoice, date=D(2026, 1, 5)).number == "INV0000001"


def test_create_with_a_format_string(entity):
    sequence = sequence_create(entity=entity, name="Stock transfer", format="T-{yyyy}{MM}{i4}", reset="month")
    assert sequence.effective_format == "T-{yyyy}{MM}{i4}"
    assert sequence.version == 1
    assert sequence_issue_next(sequence=sequence, date=D(2026, 3, 9)).number == "T-2026030001"


def test_an_alpha_sequence_derives_its_numeric_range_from_letters(entity):
    sequence = sequence_create(
        entity=entity, name="Batch", type="alpha", starting_sequence="b", ending_sequence="zz", fixed_length=2
    )
    assert (sequence.starting_number, sequence.ending_number) == (2, 26 * 26)
    assert sequence_issue_next(sequence=sequence).number == "ab"


def test_an_alpha_sequence_starts_at_a_by_default(entity):
    sequence = sequence_create(entity=entity, name="Letters", type="alpha")
    assert sequence.starting_sequence == "a"
    assert [sequence_issue_next(sequence=sequence).number for _ in range(3)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "fields, code, param",
    [
        ({"name": ""}, "name_required", "name"),
        ({"name": "x" * 101}, "name_too_long", "name"),
        ({"counter_type": "invoices"}, "invalid_counter_type", "counter_type"),
        ({"status": "paused"}, "invalid_status", "status"),
        ({"type": "roman"}, "invalid_type", "type"),
        ({"fixed_length": 0}, "invalid_fixed_length", "fixed_length"),
        ({"fixed_length": 17}, "invalid_fixed_length", "fixed_length"),
        ({"fixed_length": "6a"}, "invalid_fixed_length", "fixed_length"),
        ({"fixed_prefix": "P" * 21}, "prefix_too_long", "fixed_prefix"),
        ({"fixed_suffix": "S" * 21}, "suffix_too_long", "fixed_suffix"),
        ({"prefix_separator": "------"}, "separator_too_long", "prefix_separator"),
        ({"format": "INV-{x}{n}"}, "unknown_format_token", "format"),
        ({"format": "INV-{yyyy}"}, "format_missing_number", "format"),
        ({"format": "{n}{n}"}, "format_multiple_numbers", "format"),
        ({"format": "{n}" + "x" * 100}, "format_too_long", "format"),
        ({"format": "T-{i4}", "reset": "month"}, "format_not_period_unique", "format"),
        ({"format": "T-{yyyy}{i4}", "reset": "month"}, "format_not_period_unique", "format"),
        ({"reset": "fiscal_year", "format": "X{i4}"}, "format_not_period_unique", "format"),
        ({"starting_number": -1}, "invalid_starting_number", "starting_number"),
        ({"starting_number": 10, "ending_number": 9}, "invalid_ending_number", "ending_number"),
        ({"starting_sequence": "a"}, "invalid_starting_sequence", "starting_sequence"),
        ({"type": "alpha", "starting_sequence": "A1"}, "invalid_starting_sequence", "starting_sequence"),
        (
            {"type": "alpha", "starting_sequence": "c", "ending_sequence": "b"},
            "invalid_ending_sequence",
            "ending_sequence",
        ),
        ({"reset": "custom", "format": "{yyyy}{MM}{n}"}, "period_required", "period_unit"),
        (
            {"reset": "custom", "period_unit": "month", "format": "{yyyy}{MM}{n}"},
            "invalid_period_amount",
            "period_amount",
        ),
        (
            {"reset": "custom", "period_unit": "year", "period_amount": 11, "format": "{yyyy}{MM}{n}"},
            "invalid_period_amount",
            "period_amount",
        ),
        (
            {"reset": "custom", "period_unit": "week", "period_amount": 1},
            "invalid_period_unit",
            "period_unit",
        ),
        ({"reset": "weekly"}, "invalid_reset", "reset"),
        ({"fiscal_year_affix": "middle"}, "invalid_fiscal_year_affix", "fiscal_year_affix"),
        ({"period_anchor": "yesterday"}, "invalid_date", "period_anchor"),
        ({"warning_threshold": -5}, "invalid_warning_threshold", "warning_threshold"),
        ({"version": 3}, "unknown_field", "version"),
    ],
)
def test_bad_configuration_is_rejected_with_its_code_and_param(entity, fields, code, param):
    fields = {"name": "Bad", **fields}
    with pytest.raises(InvalidInput) as raised:
        sequence_create(entity=entity, **fields)
    assert (raised.value.code, raised.value.param) == (code, param)
    assert not Sequence.objects.filter(entity=entity, name="Bad").exists()


def test_names_and_counter_types_are_unique_per_entity(entity, other_entity):
    sequence_create(entity=entity, name="Receipts")
    with pytest.raises(Conflict) as raised:
        sequence_create(entity=entity, name="Receipts")
    assert (raised.value.code, raised.value.param) == ("sequence_name_taken", "name")
    with pytest.raises(Conflict) as raised:
        sequence_create(entity=entity, name="Second invoices", counter_type="invoice")
    assert (raised.value.code, raised.value.param) == ("counter_type_taken", "counter_type")
    assert sequence_create(entity=other_entity, name="Receipts").entity == other_entity


def test_update_changes_only_the_given_fields_and_bumps_the_version(entity):
    sequence = SequenceFactory(entity=entity, print_title="Tests")
    updated = sequence_update(sequence=sequence, expected_version=1, actor="user:alice", fixed_prefix="TT")
    assert (updated.fixed_prefix, updated.print_title, updated.fixed_length) == ("TT", "Tests", 4)
    assert updated.version == 2
    sequence.refresh_from_db()
    assert sequence.version == 2


def test_an_update_that_changes_nothing_keeps_the_version(entity):
    sequence = SequenceFactory(entity=entity)
    assert sequence_update(sequence=sequence, actor="user:alice", fixed_prefix="T").version == 1


def test_a_stale_version_is_a_conflict(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_update(sequence=sequence, expected_version=1, actor="user:alice", print_title="A")
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, expected_version=1, actor="user:bob", print_title="B")
    assert (raised.value.code, raised.value.param) == ("version_mismatch", "version")
    sequence.refresh_from_db()
    assert sequence.print_title == "A"


def test_the_layout_may_change_after_issuing_but_the_period_structure_may_not(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    sequence_update(sequence=sequence, actor="user:alice", fixed_prefix="NEW")
    assert sequence_issue_next(sequence=sequence).number == "NEW0002"
    # A sequence that never reset may start rolling over with a fiscal-year affix (docs/numbering.md,
    # "Resetting later"; tests/numbering/test_dialect_semantics.py); after that the rule is fixed.
    sequence_update(sequence=sequence, actor="user:alice", reset="fiscal_year", fiscal_year_affix="prefix")
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, actor="user:alice", reset="month", format="{yyyy}{MM}-{n}")
    assert (raised.value.code, raised.value.param) == ("sequence_in_use", "reset")
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, actor="user:alice", type="alpha")
    assert (raised.value.code, raised.value.param) == ("sequence_in_use", "type")


def test_fiscal_years_pre_create_periods_with_their_next_number(entity):
    july = EntityFactory(fiscal_year_start_month=7)
    sequence = sequence_create(
        entity=july,
        name="Vendor Invoice",
        fixed_prefix="P",
        prefix_separator="-",
        fixed_length=4,
        fiscal_year_affix="prefix",
        fiscal_year_separator="-",
        reset="fiscal_year",
        fiscal_years=[{"fiscal_year": 2027, "next_number": 100, "next_sequence": None}],
        actor="user:alice",
    )
    period = NumberingPeriod.objects.get(sequence=sequence)
    assert (period.label, period.start, period.end, period.start_value) == (
        "FY2027",
        D(2026, 7, 1),
        D(2027, 6, 30),
        100,
    )
    event = CounterEvent.objects.get(sequence=sequence)
    assert (event.kind, event.value_before, event.value_after, event.actor) == (
        "create",
        99,
        99,
        "user:alice",
    )
    assert sequence_issue_next(sequence=sequence, date=D(2026, 9, 1)).number == "2027-P-0100"


def test_raising_a_periods_next_number_records_the_skip(entity):
    sequence = sequence_create(entity=entity, name="FY", format="{fy}-{i4}", reset="fiscal_year")
    sequence_issue_next(sequence=sequence, date=D(2026, 5, 1))
    updated = sequence_update(
        sequence=sequence,
        expected_version=1,
        actor="user:alice",
        fiscal_years=[{"fiscal_year": 2026, "next_number": 50}],
    )
    assert updated.version == 2
    event = CounterEvent.objects.get(sequence=sequence, kind="edit")
    assert (event.value_before, event.value_after) == (1, 49)
    assert sequence_issue_next(sequence=sequence, date=D(2026, 5, 2)).value == 50


def test_a_next_number_below_the_counter_is_refused(entity):
    sequence = sequence_create(entity=entity, name="FY", format="{fy}-{i4}", reset="fiscal_year")
    for _ in range(3):
        sequence_issue_next(sequence=sequence, date=D(2026, 5, 1))
    with pytest.raises(RuleViolation) as raised:
        sequence_update(
            sequence=sequence, actor="user:alice", fiscal_years=[{"fiscal_year": 2026, "next_number": 2}]
        )
    assert (raised.value.code, raised.value.param) == ("counter_decrement", "fiscal_years[0].next_number")


def test_fiscal_years_need_a_fiscal_year_reset(entity):
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(InvalidInput) as raised:
        sequence_update(sequence=sequence, actor="a", fiscal_years=[{"fiscal_year": 2026, "next_number": 5}])
    assert (raised.value.code, raised.value.param) == ("rollover_not_enabled", "fiscal_years")


def test_numberings_pre_create_portos_periods(entity):
    sequence = sequence_create(
        entity=entity,
        name="Invoices FA",
        format="FA-{yyyy}{i4}",
        reset="custom",
        period_unit="year",
        period_amount=1,
        numberings=[
            {"start": D(2022, 1, 1), "next_number": 13},
            {"start": "2023-01-01", "end": "2023-12-31", "next_number": 9},
        ],
    )
    assert list(NumberingPeriod.objects.filter(sequence=sequence).values_list("label", "last_value")) == [
        ("2022", 12),
        ("2023", 8),
    ]
    assert sequence_issue_next(sequence=sequence, date=D(2023, 6, 1)).number == "FA-20230009"


@pytest.mark.parametrize(
    "entry, param",
    [
        ({"start": D(2022, 2, 1), "next_number": 1}, "numberings[0].start"),
        ({"start": D(2022, 1, 1), "end": D(2022, 6, 30), "next_number": 1}, "numberings[0].end"),
    ],
)
def test_numberings_must_match_the_sequences_periods(entity, entry, param):
    with pytest.raises(InvalidInput) as raised:
        sequence_create(
            entity=entity,
            name="FA",
            format="FA-{yyyy}{i4}",
            reset="calendar_year",
            numberings=[entry],
        )
    assert (raised.value.code, raised.value.param) == ("period_mismatch", param)


def test_period_create_configures_one_period_ahead(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    period = period_create(sequence=sequence, start=D(2026, 4, 1), next_number=500, actor="user:alice")
    assert (period.label, period.start_value, period.last_value) == ("2026-04", 500, 499)
    with pytest.raises(Conflict) as raised:
        period_create(sequence=sequence, start=D(2026, 4, 1))
    assert raised.value.code == "period_exists"


def test_period_create_locks_the_sequence_and_bumps_its_version(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    with CaptureQueriesContext(connection) as queries:
        period_create(sequence=sequence, start=D(2026, 4, 1), next_number=500, actor="user:alice")
    locks = [
        q["sql"] for q in queries if "FOR NO KEY UPDATE" in q["sql"] and "numbering_sequence" in q["sql"]
    ]
    assert len(locks) == 1
    assert sequence.version == Sequence.objects.get(pk=sequence.pk).version == 2
    with pytest.raises(Conflict):
        period_create(sequence=sequence, start=D(2026, 4, 1))
    assert Sequence.objects.get(pk=sequence.pk).version == 2  # a refused period changes nothing
    # A version read before the period was added is stale now, as after any other change
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, expected_version=1, actor="user:bob", print_title="B")
    assert (raised.value.code, raised.value.param) == ("version_mismatch", "version")


def test_a_sequence_that_never_issued_can_be_deleted(entity):
    sequence = SequenceFactory(entity=entity, name="Gone", fixed_prefix="GN")
    sequence_delete(sequence=sequence)
    assert not Sequence.objects.filter(pk=sequence.pk).exists()
    # The log keeps what went: each field from its value to nothing (not "from nothing to the name").
    [row] = Activity.objects.filter(action="sequence.deleted", object_id=str(sequence.pk))
    assert row.changes["name"] == ["Gone", None]
    assert row.changes["fixed_prefix"] == ["GN", None]


def test_a_sequence_that_issued_cannot_be_deleted(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    with pytest.raises(Conflict) as raised:
        sequence_delete(sequence=sequence)
    assert raised.value.code == "sequence_in_use"
    assert Sequence.objects.filter(pk=sequence.pk).exists()


@pytest.mark.parametrize(
    ("layout", "change"),
    [({}, {"starting_number": 500}), ({"type": "alpha"}, {"starting_sequence": "k"})],
)
def test_a_new_starting_number_that_could_change_nothing_is_refused(entity, layout, change):
    """Never resetting, with its counter started: the new start would be saved and apply to nothing."""
    sequence = SequenceFactory(entity=entity, **layout)
    sequence_issue_next(sequence=sequence, document_type="test")

    with pytest.raises(Conflict) as refusal:
        sequence_update(sequence=sequence, actor="user:alice", **change)

    assert (refusal.value.code, refusal.value.param) == ("starting_number_in_use", next(iter(change)))
    sequence.refresh_from_db()
    assert (sequence.starting_number, sequence.version) == (1, 1)


def test_a_new_starting_number_still_applies_before_the_counter_or_to_coming_periods(entity):
    fresh = SequenceFactory(entity=entity, name="Fresh")
    assert sequence_update(sequence=fresh, actor="user:alice", starting_number=500).starting_number == 500

    monthly = SequenceFactory(entity=entity, name="Monthly", reset="month", format="M{yyyy}{MM}-{n}")
    sequence_issue_next(sequence=monthly, document_type="test")
    assert sequence_update(sequence=monthly, actor="user:alice", starting_number=10).starting_number == 10
