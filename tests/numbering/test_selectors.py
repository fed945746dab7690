"""Reads: the preview reserves nothing, locks nothing and writes nothing; per-entity lists."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from erp.exceptions import Conflict
from numbering.models import NumberingPeriod
from numbering.selectors import (
    issued_numbers_for_entity,
    migration_counters,
    sequence_next_value,
    sequence_preview,
    sequence_remaining,
    sequences_for_entity,
)
from numbering.services import counter_advance, sequence_create, sequence_issue_next, sequence_update
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_preview_shows_the_next_number_and_reserves_nothing(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    with CaptureQueriesContext(connection) as queries:
        preview = sequence_preview(sequence=sequence)
        again = sequence_preview(sequence=sequence)
    assert preview == again == {"value": 2, "number": "T0002", "period_label": "all"}
    assert all(query["sql"].lstrip().upper().startswith("SELECT") for query in queries.captured_queries)
    assert not any("FOR UPDATE" in query["sql"].upper() for query in queries.captured_queries)
    assert sequence_issue_next(sequence=sequence).number == "T0002"


def test_an_inactive_sequence_previews_but_issues_nothing(entity):
    # Accountants check a layout before activating it; only issuing is refused.
    sequence = SequenceFactory(entity=entity)
    sequence = sequence_update(sequence=sequence, actor="test", status="inactive")
    assert sequence_preview(sequence=sequence)["number"] == "T0001"
    with pytest.raises(Conflict) as refused:
        sequence_issue_next(sequence=sequence)
    assert (refused.value.code, refused.value.param) == ("sequence_inactive", "status")


def test_the_preview_of_an_unused_period_does_not_create_it(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{i3}", reset="month")
    assert sequence_preview(sequence=sequence, date=D(2026, 5, 31)) == {
        "value": 1,
        "number": "M202605-001",
        "period_label": "2026-05",
    }
    assert not NumberingPeriod.objects.filter(sequence=sequence).exists()


def test_the_preview_of_an_exhausted_sequence_says_so(entity):
    sequence = SequenceFactory(entity=entity, ending_number=1)
    assert sequence_remaining(sequence=sequence) == 1
    sequence_issue_next(sequence=sequence)
    assert sequence_remaining(sequence=sequence) == 0
    with pytest.raises(Conflict) as raised:
        sequence_preview(sequence=sequence)
    assert (raised.value.code, raised.value.param) == ("sequence_exhausted", "ending_number")


def test_the_next_value_is_read_for_the_documents_period_without_reserving_it(entity):
    sequence = sequence_create(entity=entity, name="FY", format="{fy}-{n}", reset="fiscal_year")
    sequence_issue_next(sequence=sequence, date=D(2025, 6, 1))
    assert sequence_next_value(sequence, D(2025, 12, 31)) == 2
    assert sequence_next_value(sequence, D(2026, 1, 1)) == 1
    assert sequence_next_value(sequence, D(2025, 12, 31)) == 2


def test_lists_are_scoped_to_the_entity(entity, other_entity):
    mine = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=mine)
    sequence_issue_next(sequence=SequenceFactory(entity=other_entity))
    assert mine in sequences_for_entity(entity=entity)
    assert all(s.entity_id == entity.pk for s in sequences_for_entity(entity=entity))
    assert [n.sequence_id for n in issued_numbers_for_entity(entity=entity)] == [mine.pk]


def test_migration_counters_show_each_bound_sequence(entity):
    invoice = next(s for s in sequences_for_entity(entity=entity) if s.counter_type == "invoice")
    counter_advance(sequence=invoice, advance_to=41, reason="legacy", actor="user:alice")
    rows = {row["counter_type"]: row for row in migration_counters(entity=entity)}
    assert set(rows) == {"invoice", "vendor_bill", "vendor_credit", "ap_payment", "journal"}
    assert (rows["invoice"]["current_value"], rows["invoice"]["next_issued_preview"]) == (41, "INV0000042")
    assert (rows["journal"]["current_value"], rows["journal"]["version"]) == (0, 1)
