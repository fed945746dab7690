"""The audit accounts for every value of every period: issued, voided or skipped; else a gap."""

import datetime

import pytest
from django.db import transaction

from numbering.audit import entity_audit, sequence_audit
from numbering.models import CounterEvent, IssuedNumber
from numbering.services import (
    counter_advance,
    issued_number_void,
    sequence_create,
    sequence_issue_block,
    sequence_issue_next,
)
from tests.db_roles import as_superuser
from tests.helpers import sql
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_clean_sequence_audits_ok(entity):
    sequence = SequenceFactory(entity=entity)
    numbers = sequence_issue_block(sequence=sequence, count=5)
    issued_number_void(issued_number=numbers[1], reason="duplicate", voided_by="user:alice")
    event = counter_advance(sequence=sequence, advance_to=9, reason="legacy", actor="user:alice")
    sequence_issue_next(sequence=sequence)
    report = sequence_audit(sequence=sequence)
    assert report == {
        "sequence_id": str(sequence.pk),
        "ok": True,
        "periods": [
            {
                "label": "all",
                "first": 1,
                "last": 10,
                "issued": 5,
                "voided": 1,
                "skipped": [[6, 9, event.pk]],
                "gaps": [],
                "overlaps": [],
                "out_of_range": [],
            }
        ],
        "documents": [],
    }


def test_an_unused_period_is_clean(entity):
    sequence = SequenceFactory(entity=entity, starting_number=100)
    counter_advance(sequence=sequence, advance_to=0, reason="nothing", actor="a")
    assert sequence_audit(sequence=sequence) == {
        "sequence_id": str(sequence.pk),
        "ok": True,
        "periods": [],
        "documents": [],
    }


def test_a_counter_raised_around_the_service_shows_as_a_gap(entity):
    sequence = SequenceFactory(entity=entity)
    first = sequence_issue_block(sequence=sequence, count=3)[0]
    # Given someone bumps the counter by raw SQL (allowed: it only grows) and issuing resumes,
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 4 WHERE id = %s", [first.period_id])
    sequence_issue_block(sequence=sequence, count=2)
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 1 WHERE id = %s", [first.period_id])
    # then the values nobody accounts for are gaps.
    report = sequence_audit(sequence=sequence)
    assert report["ok"] is False
    (period,) = report["periods"]
    assert (period["first"], period["last"], period["issued"]) == (1, 10, 5)
    assert period["gaps"] == [[4, 7], [10, 10]]


def test_gaps_are_found_per_period(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    january = sequence_issue_next(sequence=sequence, date=D(2026, 1, 5))
    sequence_issue_block(sequence=sequence, count=3, date=D(2026, 2, 5))
    sql("UPDATE numbering_numberingperiod SET last_value = 3 WHERE id = %s", [january.period_id])
    report = sequence_audit(sequence=sequence)
    assert [(p["label"], p["gaps"]) for p in report["periods"]] == [("2026-01", [[2, 3]]), ("2026-02", [])]


def test_a_value_both_issued_and_skipped_is_reported(entity):
    sequence = SequenceFactory(entity=entity)
    issued = sequence_issue_block(sequence=sequence, count=4)
    CounterEvent.objects.create(
        entity=entity,
        sequence=sequence,
        period_id=issued[0].period_id,
        kind="advance",
        value_before=2,
        value_after=3,
        reason="forged",
    )
    period = sequence_audit(sequence=sequence)["periods"][0]
    assert period["overlaps"] == [[3, 3]]
    assert sequence_audit(sequence=sequence)["ok"] is False


@pytest.mark.django_db(transaction=True)  # the superuser's connection sees committed rows only
def test_an_issued_value_beyond_the_counter_is_reported(entity):
    # The database refuses such a row now (test_constraints.py); the audit still reports one, e.g.
    # in data written before that guard, which is what replica mode (no triggers) stands for here:
    # only the server's superuser may switch to it.
    sequence = SequenceFactory(entity=entity)
    issued = sequence_issue_next(sequence=sequence)
    with as_superuser(), transaction.atomic():
        sql("SET LOCAL session_replication_role = replica")
        sql(
            "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, "
            "status, document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by) "
            "VALUES (gen_random_uuid(), %s, %s, %s, 7, 'forged', 'issued', '', '', '', now(), '', '', '')",
            [entity.pk, sequence.pk, issued.period_id],
        )
    period = sequence_audit(sequence=sequence)["periods"][0]
    assert (period["last"], period["out_of_range"], period["gaps"]) == (1, [[7, 7]], [])


def test_the_gap_query_scales_to_many_numbers(entity, django_assert_max_num_queries):
    sequence = SequenceFactory(entity=entity)
    for _ in range(3):
        sequence_issue_block(sequence=sequence, count=10_000)
    period_id = IssuedNumber.objects.filter(sequence=sequence).values_list("period_id", flat=True).first()
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 5 WHERE id = %s", [period_id])
    with django_assert_max_num_queries(5):
        report = sequence_audit(sequence=sequence)
    assert report["periods"][0]["gaps"] == [[30_001, 30_005]]


def test_the_entity_audit_covers_every_sequence(entity):
    sequence_issue_next(sequence=SequenceFactory(entity=entity))
    report = entity_audit(entity=entity)
    assert report["ok"] is True
    assert report["entity_id"] == str(entity.pk)
    assert len(report["sequences"]) == 6  # five defaults and ours
