"""Counters move forward only, every move is recorded; the Arcus migration advance, row by row."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from erp.exceptions import InvalidInput, RuleViolation
from erp.models import Entity
from numbering.models import CounterEvent, NumberingPeriod, Sequence
from numbering.services import (
    counter_advance,
    migration_counters_advance,
    sequence_create,
    sequence_issue_next,
    sequence_update,
)
from tests.numbering.factories import SequenceFactory
from tests.processes import FORK, WAIT, connect_child, outcome, start, wait_until, waits_for_a_lock

pytestmark = pytest.mark.django_db

D = datetime.date


def test_an_advance_skips_numbers_and_records_why(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    event = counter_advance(sequence=sequence, advance_to=100, reason="legacy numbers", actor="user:alice")
    assert (event.kind, event.value_before, event.value_after) == ("advance", 1, 100)
    assert (event.reason, event.actor) == ("legacy numbers", "user:alice")
    assert sequence.version == 2
    assert Sequence.objects.get(pk=sequence.pk).version == 2
    assert sequence_issue_next(sequence=sequence).value == 101


def test_an_advance_to_or_below_the_counter_changes_nothing(entity):
    sequence = SequenceFactory(entity=entity)
    counter_advance(sequence=sequence, advance_to=50, reason="r", actor="a")
    assert counter_advance(sequence=sequence, advance_to=50, reason="r", actor="a") is None
    assert counter_advance(sequence=sequence, advance_to=10, reason="r", actor="a") is None
    assert NumberingPeriod.objects.get(sequence=sequence).last_value == 50
    assert CounterEvent.objects.filter(sequence=sequence).count() == 1
    assert Sequence.objects.get(pk=sequence.pk).version == 2


def test_a_no_op_advance_does_not_create_the_period(entity):
    sequence = SequenceFactory(entity=entity)
    assert counter_advance(sequence=sequence, advance_to=0, reason="r", actor="a") is None
    assert not NumberingPeriod.objects.filter(sequence=sequence).exists()


def test_an_advance_moves_the_period_of_its_date(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    counter_advance(sequence=sequence, advance_to=7, reason="r", actor="a", date=D(2026, 2, 10))
    assert sequence_issue_next(sequence=sequence, date=D(2026, 2, 1)).value == 8
    assert sequence_issue_next(sequence=sequence, date=D(2026, 3, 1)).value == 1


@pytest.mark.parametrize(
    "kwargs, error, code, param",
    [
        ({"advance_to": -1}, InvalidInput, "invalid_advance_to", "advance_to"),
        ({"advance_to": "7"}, InvalidInput, "invalid_advance_to", "advance_to"),
        ({"advance_to": 5, "reason": " "}, InvalidInput, "reason_required", "reason"),
        ({"advance_to": 11}, RuleViolation, "advance_beyond_end", "advance_to"),
    ],
)
def test_bad_advances_are_refused(entity, kwargs, error, code, param):
    sequence = SequenceFactory(entity=entity, ending_number=10)
    with pytest.raises(error) as raised:
        counter_advance(sequence=sequence, **{"reason": "r", "actor": "a", **kwargs})
    assert (raised.value.code, raised.value.param) == (code, param)


CAP = 999_999_999_999


@pytest.mark.parametrize("advance_to", [CAP + 1, 2**63 - 1])
def test_an_open_ended_counter_is_not_advanced_past_the_cap(entity, advance_to):
    # One typo would brick the counter for good: a counter never goes back.
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(RuleViolation) as raised:
        counter_advance(sequence=sequence, advance_to=advance_to, reason="r", actor="a")
    assert (raised.value.code, raised.value.param, raised.value.status_code) == (
        "advance_too_far",
        "advance_to",
        422,
    )
    assert not CounterEvent.objects.filter(sequence=sequence).exists()
    assert sequence_issue_next(sequence=sequence).value == 1


def test_the_cap_itself_and_an_explicit_ending_number_are_allowed(entity):
    open_ended = SequenceFactory(entity=entity)
    counter_advance(sequence=open_ended, advance_to=CAP, reason="r", actor="a")
    assert NumberingPeriod.objects.get(sequence=open_ended).last_value == CAP
    bounded = SequenceFactory(entity=entity, ending_number=10**15)
    counter_advance(sequence=bounded, advance_to=CAP * 10, reason="r", actor="a")
    assert NumberingPeriod.objects.get(sequence=bounded).last_value == CAP * 10


def test_a_next_number_past_the_cap_is_refused_on_create_and_update(entity):
    with pytest.raises(RuleViolation) as raised:
        sequence_create(entity=entity, name="Huge", format="H{n}", next_number=CAP + 2)
    assert (raised.value.code, raised.value.param) == ("advance_too_far", "next_number")
    sequence = sequence_create(entity=entity, name="Big", format="B{n}", next_number=CAP + 1)
    assert sequence_issue_next(sequence=sequence).value == CAP + 1
    with pytest.raises(RuleViolation) as raised:
        sequence_update(sequence=sequence, actor="a", next_number=2**63 - 1)
    assert (raised.value.code, raised.value.param) == ("advance_too_far", "next_number")


def test_a_migration_row_past_the_cap_fails_alone(entity):
    result = advance(
        entity,
        {"counter_type": "invoice", "advance_to": 2**63 - 1},
        {"counter_type": "journal", "advance_to": 77},
    )
    assert [(row.get("code"), row.get("param")) for row in result["results"]] == [
        ("advance_too_far", "advance_to"),
        (None, None),
    ]
    invoice = Sequence.objects.get(entity=entity, counter_type="invoice")
    assert not NumberingPeriod.objects.filter(sequence=invoice).exists()


def advance(entity, *rows):
    return migration_counters_advance(entity=entity, rows=list(rows), actor="api_key:ark_test_ent_X")


def test_the_arcus_sample_advances_an_existing_counter(entity):
    result = advance(entity, {"counter_type": "invoice", "advance_to": 342665})
    assert result == {
        "object": "migration_counter_advance_result",
        "total": 1,
        "succeeded": 1,
        "failed": 0,
        "results": [
            {
                "counter_type": "invoice",
                "previous_value": 0,
                "current_value": 342665,
                "prefix": "INV",
                "padding": 7,
                "version": 2,
                "advanced": True,
                "next_issued_preview": "INV0342666",
            }
        ],
    }
    event = CounterEvent.objects.get(sequence__entity=entity, sequence__counter_type="invoice")
    assert (event.reason, event.actor, event.value_after) == (
        "migration advance",
        "api_key:ark_test_ent_X",
        342665,
    )
    invoice = Sequence.objects.get(entity=entity, counter_type="invoice")
    assert sequence_issue_next(sequence=invoice).number == "INV0342666"


def test_advancing_to_the_current_value_is_a_no_op_row(entity):
    advance(entity, {"counter_type": "invoice", "advance_to": 500})
    result = advance(entity, {"counter_type": "invoice", "advance_to": 500})
    (row,) = result["results"]
    assert (row["advanced"], row["previous_value"], row["current_value"]) == (False, 500, 500)
    assert (result["succeeded"], result["failed"]) == (1, 0)
    assert row["version"] == 2
    assert "code" not in row


def test_advancing_below_the_current_value_is_a_failed_row(entity):
    advance(entity, {"counter_type": "invoice", "advance_to": 500})
    result = advance(
        entity, {"counter_type": "invoice", "advance_to": 499}, {"counter_type": "journal", "advance_to": 3}
    )
    failed, other = result["results"]
    assert (result["succeeded"], result["failed"]) == (1, 1)
    assert (failed["code"], failed["param"], failed["advanced"]) == (
        "decrement_not_allowed",
        "advance_to",
        False,
    )
    assert "500" in failed["error"]
    assert other["advanced"] is True  # the other rows still apply
    invoice = Sequence.objects.get(entity=entity, counter_type="invoice")
    assert NumberingPeriod.objects.get(sequence=invoice).last_value == 500


def test_below_a_counter_that_starts_later_is_a_failed_row_too(entity):
    sequence = Sequence.objects.get(entity=entity, counter_type="invoice")
    sequence_update(sequence=sequence, actor="user:alice", starting_number=100)
    (row,) = advance(entity, {"counter_type": "invoice", "advance_to": 98})["results"]
    assert row["code"] == "decrement_not_allowed"
    (row,) = advance(entity, {"counter_type": "invoice", "advance_to": 99})["results"]
    assert (row["advanced"], row.get("code")) == (False, None)
    assert not NumberingPeriod.objects.filter(sequence=sequence).exists()


def test_an_empty_prefix_creates_a_counter_that_prints_bare_numbers(entity):
    (row,) = advance(entity, {"counter_type": "rma", "advance_to": 41, "prefix": "", "padding": 5})["results"]
    assert (row["advanced"], row["prefix"], row["next_issued_preview"]) == (True, "", "00042")
    sequence = Sequence.objects.get(entity=entity, counter_type="rma")
    assert sequence_issue_next(sequence=sequence).number == "00042"


def test_a_missing_counter_is_created_with_its_prefix_and_padding(entity):
    (row,) = advance(entity, {"counter_type": "rma", "advance_to": 41, "prefix": "RMA-", "padding": 5})[
        "results"
    ]
    assert row == {
        "counter_type": "rma",
        "previous_value": 0,
        "current_value": 41,
        "prefix": "RMA-",
        "padding": 5,
        "version": 2,
        "advanced": True,
        "next_issued_preview": "RMA-00042",
    }
    sequence = Sequence.objects.get(entity=entity, counter_type="rma")
    assert (sequence.name, sequence.fixed_prefix, sequence.fixed_length) == ("rma", "RMA-", 5)


def test_padding_defaults_to_7_and_existing_rows_keep_their_layout(entity):
    (created,) = advance(entity, {"counter_type": "quote", "advance_to": 1, "prefix": "Q"})["results"]
    assert (created["padding"], created["next_issued_preview"]) == (7, "Q0000002")
    (kept,) = advance(entity, {"counter_type": "quote", "advance_to": 2, "prefix": "ZZ", "padding": 3})[
        "results"
    ]
    assert (kept["prefix"], kept["padding"], kept["next_issued_preview"]) == ("Q", 7, "Q0000003")


@pytest.mark.parametrize(
    "row, code, param",
    [
        ({"counter_type": "widget", "advance_to": 5}, "invalid_counter_type", "counter_type"),
        ({"counter_type": 7, "advance_to": 5}, "invalid_counter_type", "counter_type"),
        ({"counter_type": "rma", "advance_to": 5}, "prefix_required", "prefix"),
        ({"counter_type": "rma", "advance_to": 5, "prefix": None}, "prefix_required", "prefix"),
        ({"counter_type": "rma", "advance_to": 5, "prefix": "R" * 21}, "prefix_too_long", "prefix"),
        ({"counter_type": "rma", "advance_to": 5, "prefix": 12}, "invalid_prefix", "prefix"),
        (
            {"counter_type": "rma", "advance_to": 5, "prefix": "R", "padding": 13},
            "invalid_padding",
            "padding",
        ),
        ({"counter_type": "rma", "advance_to": 5, "prefix": "R", "padding": 0}, "invalid_padding", "padding"),
        (
            {"counter_type": "rma", "advance_to": 5, "prefix": "R", "padding": "x"},
            "invalid_padding",
            "padding",
        ),
        ({"counter_type": "invoice", "advance_to": -3}, "invalid_advance_to", "advance_to"),
        ({"counter_type": "invoice", "advance_to": 2.5}, "invalid_advance_to", "advance_to"),
        ({"counter_type": "invoice", "advance_to": "seven"}, "invalid_advance_to", "advance_to"),
        ({"counter_type": "invoice"}, "invalid_advance_to", "advance_to"),
        ("invoice", "invalid_row", "counter_type"),
    ],
)
def test_a_bad_row_reports_its_error_code_and_param(entity, row, code, param):
    result = advance(entity, row)
    (reported,) = result["results"]
    assert (result["succeeded"], result["failed"]) == (0, 1)
    assert (reported["code"], reported["param"]) == (code, param)
    assert reported["error"] and reported["advanced"] is False
    assert not Sequence.objects.filter(entity=entity, counter_type="rma").exists()


def test_a_failed_row_echoes_its_counter_type_only_when_it_is_text(entity):
    (row,) = advance(entity, {"counter_type": ["invoice"], "advance_to": 5})["results"]
    assert (row["counter_type"], row["code"], row["param"]) == (None, "invalid_counter_type", "counter_type")


def test_a_row_the_counter_refuses_names_the_rows_field(entity):
    # Given an invoice counter ending at 100 and a sequence already named "rma"
    invoice = Sequence.objects.get(entity=entity, counter_type="invoice")
    sequence_update(sequence=invoice, actor="user:alice", ending_number=100)
    sequence_create(entity=entity, name="rma", format="R{n}")
    # When each is advanced
    result = advance(
        entity,
        {"counter_type": "invoice", "advance_to": 101},
        {"counter_type": "rma", "advance_to": 5, "prefix": "R"},
    )
    # Then each row names a field of the row, never a sequence field the row does not have
    assert [(row["code"], row["param"]) for row in result["results"]] == [
        ("advance_beyond_end", "advance_to"),
        ("sequence_name_taken", "counter_type"),
    ]


def test_one_failing_row_does_not_roll_back_the_others(entity):
    result = advance(
        entity,
        {"counter_type": "invoice", "advance_to": 1000},
        {"counter_type": "po", "advance_to": 10},  # missing counter without a prefix
        {"counter_type": "journal", "advance_to": 77},
        {"counter_type": "check", "advance_to": 9, "prefix": "CHK", "padding": 6},
    )
    assert (result["total"], result["succeeded"], result["failed"]) == (4, 3, 1)
    assert [row.get("code") for row in result["results"]] == [None, "prefix_required", None, None]
    assert [row.get("param") for row in result["results"]] == [None, "prefix", None, None]
    assert [row["advanced"] for row in result["results"]] == [True, False, True, True]
    periods = NumberingPeriod.objects.filter(sequence__entity=entity)
    assert {p.sequence.counter_type: p.last_value for p in periods} == {
        "invoice": 1000,
        "journal": 77,
        "check": 9,
    }


def test_a_migration_advance_counts_in_todays_period(entity):
    sequence = Sequence.objects.get(entity=entity, counter_type="journal")
    advance(entity, {"counter_type": "journal", "advance_to": 12})
    assert sequence_issue_next(sequence=sequence, date=timezone.localdate()).value == 13


# Two requests creating the same counter at once: real processes, real transactions (tests/processes.py).


def advance_and_hold(db_name: str, entity_id, row: dict, holding, release):
    connect_child(db_name)
    with transaction.atomic():  # the created counter stays uncommitted until released
        result = migration_counters_advance(entity=Entity.objects.get(pk=entity_id), rows=[row], actor="a")
        holding.set()
        if not release.wait(WAIT):
            raise TimeoutError("never released")
    return result


def advance_batch(db_name: str, entity_id, rows: list[dict], started):
    started.put(connect_child(db_name))
    return migration_counters_advance(entity=Entity.objects.get(pk=entity_id), rows=rows, actor="b")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("advance_to", "advanced", "code"),
    [(20, True, None), (10, False, None), (5, False, "decrement_not_allowed")],
)
def test_two_requests_creating_one_counter_at_once_never_fail_the_batch(
    entity, db_name, advance_to, advanced, code
):
    holding, release = FORK.Event(), FORK.Event()
    first = {"counter_type": "rma", "advance_to": 10, "prefix": "R-", "padding": 4}
    holder = start(advance_and_hold, db_name, entity.pk, first, holding, release)
    try:
        assert holding.wait(WAIT)
        # The later request creates the same counter (its own prefix), in a batch with another row.
        later = [
            {"counter_type": "rma", "advance_to": advance_to, "prefix": "RMA", "padding": 7},
            {"counter_type": "journal", "advance_to": 3},
        ]
        started = FORK.Queue()
        waiter = start(advance_batch, db_name, entity.pk, later, started)
        waiter_pid = started.get(timeout=WAIT)
        wait_until(lambda: waits_for_a_lock(waiter_pid), "the later request waits for the first's counter")
    finally:
        release.set()
    assert outcome(*holder)["results"][0]["advanced"] is True
    result = outcome(*waiter)
    rma, journal = result["results"]
    assert journal["advanced"] is True
    assert (rma["advanced"], rma.get("code")) == (advanced, code)
    if code is None:
        # It found the counter the first request created: that one's prefix and padding, its value.
        assert (rma["prefix"], rma["padding"], rma["previous_value"]) == ("R-", 4, 10)
        assert rma["current_value"] == max(10, advance_to)
    assert (result["total"], result["failed"]) == (2, 0 if code is None else 1)
    sequence = Sequence.objects.get(entity=entity, counter_type="rma")
    assert NumberingPeriod.objects.get(sequence=sequence).last_value == max(10, advance_to)
