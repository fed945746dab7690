"""Issuing: the document date picks the period, exhaustion, inactivity, blocks, voids, the SQL path."""

import datetime
import gc
import weakref

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from erp.exceptions import Conflict, InvalidInput, NotFound
from numbering.models import IssuedNumber, NumberingPeriod, Sequence
from numbering.rendering import value_text
from numbering.services import (
    counter_type_issue_next,
    issued_number_void,
    issuing,
    sequence_create,
    sequence_issue_block,
    sequence_issue_next,
    sequence_update,
)
from tests.erp.factories import EntityFactory
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def test_numbers_follow_one_another_in_the_sequence(entity):
    sequence = SequenceFactory(entity=entity)
    numbers = [sequence_issue_next(sequence=sequence, date=D(2026, 1, 2)) for _ in range(3)]
    assert [(n.value, n.number) for n in numbers] == [(1, "T0001"), (2, "T0002"), (3, "T0003")]
    assert {n.period.label for n in numbers} == {"all"}


@pytest.mark.parametrize(
    "options, take",
    [
        ({"format": "T{i4}"}, "next"),
        ({"type": "alpha", "fixed_prefix": "R", "fixed_length": 3}, "next"),
        ({"format": "T{i4}"}, "block of one"),
    ],
    ids=["numeric", "alpha", "block-of-one"],
)
def test_the_returned_row_is_exactly_what_was_saved(entity, options, take):
    sequence = sequence_create(entity=entity, name="Returned", **options)
    sequence_issue_next(sequence=sequence, date=D(2026, 1, 1))  # the period exists: the fast path
    text = {"reference": "ext-9", "issued_by": "user:alice"}
    if take == "next":
        issued = sequence_issue_next(
            sequence=sequence, date=D(2026, 1, 2), document_type="invoice", document_id="42", **text
        )
    else:
        (issued,) = sequence_issue_block(sequence=sequence, count=1, date=D(2026, 1, 2), **text)
    assert issued.value == 2
    saved = IssuedNumber.objects.get(pk=issued.pk)
    for field in IssuedNumber._meta.concrete_fields:
        assert getattr(issued, field.attname) == getattr(saved, field.attname), field.name
    period = NumberingPeriod.objects.get(pk=issued.period_id)
    for field in NumberingPeriod._meta.concrete_fields:
        assert getattr(issued.period, field.attname) == getattr(period, field.attname), field.name


@pytest.mark.parametrize(
    "options",
    [
        {"format": "B-{yyyy}-{i5}/x", "reset": "calendar_year"},
        {"type": "alpha", "fixed_prefix": "R", "fixed_length": 3},
    ],
    ids=["numeric", "alpha"],
)
def test_a_block_returns_exactly_the_rows_it_saved(entity, options):
    # The block's numbers are built from the statement's one returned row, not read back.
    sequence = sequence_create(entity=entity, name="Block", **options)
    block = sequence_issue_block(sequence=sequence, count=700, date=D(2026, 1, 2), reference="import 7")
    fifth = block[5]  # built on its own first; iterating builds the rest around it
    saved = IssuedNumber.objects.filter(sequence=sequence).order_by("value")
    fields = [field.attname for field in IssuedNumber._meta.concrete_fields]

    def rows(numbers):
        return [[getattr(number, field) for field in fields] for number in numbers]

    assert rows(block) == rows(saved)
    assert len({n.id for n in block}) == 700
    assert list(block)[5] is fifth and gc.isenabled()
    assert (len(block), block[-1].value, block[1:3][0].value, block[0] is block[0]) == (700, 700, 2, True)
    with pytest.raises(IndexError):
        block[700]


def test_taking_a_number_is_one_statement(entity, django_assert_num_queries):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence, date=D(2026, 1, 2))  # first use creates the period
    with django_assert_num_queries(1):
        issued = sequence_issue_next(sequence=sequence, date=D(2026, 1, 3))
    with django_assert_num_queries(0):
        assert (issued.period.label, issued.sequence.name) == ("all", sequence.name)


def _prepared_issuing_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements"
            " WHERE statement LIKE '%INSERT INTO numbering_issuednumber%'"
        )
        return cursor.fetchone()[0]


def test_the_statement_is_prepared_once_per_connection(entity):
    sequence = SequenceFactory(entity=entity)
    for _ in range(3):
        sequence_issue_next(sequence=sequence)
    assert _prepared_issuing_statements() == 1


@pytest.mark.django_db(transaction=True)  # closes the connection: a fresh session has nothing prepared
def test_prepared_statements_can_be_turned_off_for_poolers(entity, settings):
    settings.NUMBERING_PREPARED_STATEMENTS = False
    connection.close()
    sequence = sequence_create(entity=entity, name="Plain alpha", type="alpha", fixed_length=2)
    assert [sequence_issue_next(sequence=sequence).number for _ in range(2)] == ["aa", "ab"]
    assert _prepared_issuing_statements() == 0


def test_the_statement_goes_through_execute_wrappers_and_the_query_log(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)  # first use creates the period, with queries of its own
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append((params["count"], context["connection"] is transaction.get_connection()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy), CaptureQueriesContext(connection) as queries:
        issued = sequence_issue_next(sequence=sequence, reference="spied on")
    assert seen == [(1, True)]
    assert len(queries) == 1 and queries[0]["sql"].count("'spied on'") == 1
    assert issued.reference == "spied on"


def test_the_lock_wait_is_bounded_by_the_setting(entity, settings):
    settings.NUMBERING_LOCK_TIMEOUT_MS = 1234
    sequence = SequenceFactory(entity=entity)
    with transaction.atomic():
        sequence_issue_next(sequence=sequence)
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "1234ms"


def test_an_invoice_dated_last_year_gets_last_years_number(entity):
    sequence = sequence_create(entity=entity, name="Yearly", format="{yyyy}-{i3}", reset="calendar_year")
    assert sequence_issue_next(sequence=sequence, date=D(2026, 1, 10)).number == "2026-001"
    assert sequence_issue_next(sequence=sequence, date=D(2026, 1, 11)).number == "2026-002"
    backdated = sequence_issue_next(sequence=sequence, date=D(2025, 12, 30))
    assert (backdated.number, backdated.period.label) == ("2025-001", "2025")
    assert sequence_issue_next(sequence=sequence, date=D(2026, 1, 12)).number == "2026-003"


def test_fiscal_year_rollover_with_a_july_start():
    entity = EntityFactory(fiscal_year_start_month=7)
    sequence = sequence_create(
        entity=entity,
        name="Bills",
        fixed_prefix="B",
        prefix_separator="-",
        fixed_length=4,
        fiscal_year_affix="suffix",
        fiscal_year_separator="/",
        reset="fiscal_year",
    )
    june_30 = sequence_issue_next(sequence=sequence, date=D(2026, 6, 30))
    july_1 = sequence_issue_next(sequence=sequence, date=D(2026, 7, 1))
    assert (june_30.number, june_30.period.label) == ("B-0001/2026", "FY2026")
    assert (july_1.number, july_1.period.label) == ("B-0001/2027", "FY2027")
    assert sequence_issue_next(sequence=sequence, date=D(2027, 6, 30)).number == "B-0002/2027"


@pytest.mark.parametrize(
    "first_day, last_day",
    [(D(2026, 3, 1), D(2026, 2, 28)), (D(2025, 1, 1), D(2024, 12, 31)), (D(2024, 3, 1), D(2024, 2, 29))],
)
def test_month_boundaries_split_periods(entity, first_day, last_day):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    on_last = sequence_issue_next(sequence=sequence, date=last_day)
    on_first = sequence_issue_next(sequence=sequence, date=first_day)
    assert on_last.value == on_first.value == 1
    assert on_last.period_id != on_first.period_id
    assert on_last.period.end == last_day and on_first.period.start == first_day


def test_an_alpha_sequence_issues_letters_padded_with_a(entity):
    sequence = sequence_create(entity=entity, name="Alpha", type="alpha", fixed_prefix="R", fixed_length=3)
    assert [n.number for n in sequence_issue_block(sequence=sequence, count=28)][-3:] == [
        "Raaz",
        "Raba",
        "Rabb",
    ]


@settings(max_examples=40, deadline=None)
@given(value=st.integers(min_value=1, max_value=2**62), width=st.integers(min_value=0, max_value=16))
def test_sql_renders_numbers_exactly_like_python(value, width):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lpad(%(v)s::bigint::text, greatest(%(w)s, length(%(v)s::bigint::text)), '0'), "
            "numbering_alpha_text(%(v)s, %(w)s)",
            {"v": value, "w": width},
        )
        numeric, alpha = cursor.fetchone()
    assert numeric == value_text(value, width=width, alpha=False)
    assert alpha == value_text(value, width=width, alpha=True)


def test_past_the_ending_number_nothing_is_issued(entity):
    sequence = SequenceFactory(entity=entity, starting_number=5, ending_number=6)
    assert [sequence_issue_next(sequence=sequence).value for _ in range(2)] == [5, 6]
    with pytest.raises(Conflict) as raised:
        sequence_issue_next(sequence=sequence)
    assert raised.value.code == "sequence_exhausted"
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 2
    assert NumberingPeriod.objects.get(sequence=sequence).last_value == 6


def test_a_block_larger_than_what_remains_issues_nothing(entity):
    sequence = SequenceFactory(entity=entity, ending_number=10)
    sequence_issue_block(sequence=sequence, count=8)
    with pytest.raises(Conflict) as raised:
        sequence_issue_block(sequence=sequence, count=3)
    assert raised.value.code == "sequence_exhausted"
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 8
    assert len(sequence_issue_block(sequence=sequence, count=2)) == 2


def test_an_inactive_sequence_issues_nothing(entity):
    sequence = SequenceFactory(entity=entity, status="inactive")
    with pytest.raises(Conflict) as raised:
        sequence_issue_next(sequence=sequence)
    assert raised.value.code == "sequence_inactive"
    assert not IssuedNumber.objects.filter(sequence=sequence).exists()


def test_a_stale_sequence_object_issues_with_the_current_configuration(entity):
    stale = SequenceFactory(entity=entity)
    sequence_update(sequence=Sequence.objects.get(pk=stale.pk), actor="user:alice", fixed_prefix="NEW")
    assert sequence_issue_next(sequence=stale).number == "NEW0001"
    sequence_update(sequence=Sequence.objects.get(pk=stale.pk), actor="user:alice", status="inactive")
    with pytest.raises(Conflict) as raised:
        sequence_issue_next(sequence=stale)
    assert raised.value.code == "sequence_inactive"


def test_custom_periods_are_counted_from_their_anchor(entity):
    sequence = sequence_create(
        entity=entity,
        name="Custom",
        format="C{yyyy}{MM}-{n}",
        reset="custom",
        period_unit="month",
        period_amount=2,
        period_anchor=D(2026, 1, 1),
    )
    before_the_anchor = sequence_issue_next(sequence=sequence, date=D(2025, 12, 31))
    assert before_the_anchor.period.label == "2025-11-01..2025-12-31"
    from_the_anchor = sequence_issue_next(sequence=sequence, date=D(2026, 2, 28))
    assert from_the_anchor.period.label == "2026-01-01..2026-02-28"


def test_the_number_joins_the_callers_transaction(entity):
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(RuntimeError), transaction.atomic():
        sequence_issue_next(sequence=sequence)
        raise RuntimeError("the document failed after taking its number")
    assert sequence_issue_next(sequence=sequence).value == 1


def test_a_block_is_contiguous_and_ascending(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    block = sequence_issue_block(sequence=sequence, count=500, reference="import-7", issued_by="api_key:x")
    assert [n.value for n in block] == list(range(2, 502))
    assert block[0].number == "T0002" and block[-1].number == "T0501"
    assert len({n.pk for n in block}) == 500
    assert IssuedNumber.objects.filter(sequence=sequence, reference="import-7").count() == 500
    assert sequence_issue_next(sequence=sequence).value == 502


@pytest.mark.parametrize("count", [0, -1, 10_001, True, "5"])
def test_a_block_needs_a_count_of_1_to_10000(entity, count):
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(InvalidInput) as raised:
        sequence_issue_block(sequence=sequence, count=count)
    assert (raised.value.code, raised.value.param) == ("invalid_count", "count")


def test_documents_take_their_number_by_counter_type(entity):
    issued = counter_type_issue_next(
        entity=entity,
        counter_type="vendor_bill",
        date=D(2026, 2, 1),
        document_type="vendor_bill",
        document_id="b-1",
        issued_by="user:alice",
    )
    assert (issued.number, issued.document_type, issued.document_id) == ("BILL0000001", "vendor_bill", "b-1")


def test_a_missing_counter_type_is_not_found(entity):
    with pytest.raises(NotFound) as raised:
        counter_type_issue_next(
            entity=entity, counter_type="rma", date=None, document_type="rma", document_id="1"
        )
    assert (raised.value.code, raised.value.param) == ("counter_not_found", "counter_type")


def test_free_text_over_its_column_is_rejected_before_anything_is_taken(entity):
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(InvalidInput) as raised:
        sequence_issue_next(sequence=sequence, reference="r" * 201)
    assert (raised.value.code, raised.value.param) == ("reference_too_long", "reference")
    assert not NumberingPeriod.objects.filter(sequence=sequence).exists()


def test_a_layout_change_that_would_repeat_a_number_is_refused(entity):
    # Given value 1 printed as "11", when the layout becomes plain "{n}", value 11 would print "11".
    sequence = sequence_create(entity=entity, name="Plain", format="1{n}")
    assert sequence_issue_next(sequence=sequence).number == "11"
    sequence_update(sequence=sequence, actor="user:alice", format="{n}")
    sequence_issue_block(sequence=sequence, count=9)  # values 2..10
    with transaction.atomic():
        with pytest.raises(Conflict) as raised:
            sequence_issue_next(sequence=sequence)
        # The unique violation aborted the transaction in PostgreSQL: the caller's block is doomed.
        assert transaction.get_rollback()
    assert raised.value.code == "number_taken"
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 10


def test_voiding_keeps_the_number_with_why_when_and_who(entity):
    issued = sequence_issue_next(sequence=SequenceFactory(entity=entity))
    voided = issued_number_void(issued_number=issued, reason="  typo in customer  ", voided_by="user:alice")
    saved = IssuedNumber.objects.get(pk=issued.pk)
    assert (saved.status, saved.void_reason, saved.voided_by) == ("voided", "typo in customer", "user:alice")
    assert saved.voided_at is not None and voided.voided_at == saved.voided_at
    assert saved.number == issued.number


def test_voiding_needs_a_reason_and_happens_once(entity):
    issued = sequence_issue_next(sequence=SequenceFactory(entity=entity))
    with pytest.raises(InvalidInput) as raised:
        issued_number_void(issued_number=issued, reason="  ", voided_by="user:alice")
    assert (raised.value.code, raised.value.param) == ("reason_required", "reason")
    issued_number_void(issued_number=issued, reason="duplicate", voided_by="user:alice")
    with pytest.raises(Conflict) as raised:
        issued_number_void(issued_number=issued, reason="again", voided_by="user:bob")
    assert raised.value.code == "already_void"


def test_a_refusal_leaves_the_callers_block_usable(entity):
    inactive = sequence_create(entity=entity, name="Off", format="X{n}")
    sequence_update(sequence=inactive, actor="user:alice", status="inactive")
    with transaction.atomic():
        with pytest.raises(Conflict) as refused:
            sequence_issue_next(sequence=inactive)
        assert refused.value.code == "sequence_inactive" and not transaction.get_rollback()
        assert Sequence.objects.filter(pk=inactive.pk).exists()  # the transaction is still usable


@pytest.mark.django_db(transaction=True)  # reconnects
def test_a_new_connection_gets_a_new_issuing_cursor_and_lets_the_old_one_go(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    old = weakref.ref(issuing._ISSUING_CURSORS[transaction.get_connection()])
    connection.close()
    assert sequence_issue_next(sequence=sequence).value == 2
    gc.collect()
    assert old() is None and not issuing._ISSUING_CURSORS[transaction.get_connection()].closed


@pytest.mark.parametrize("field", ["reference", "document_type", "document_id", "issued_by"])
def test_a_service_caller_cannot_write_control_characters_into_the_ledger(entity, field):
    sequence = SequenceFactory(entity=entity)
    with pytest.raises(InvalidInput) as raised:
        sequence_issue_next(sequence=sequence, **{field: "a\x1bb"})
    assert (raised.value.code, raised.value.param) == ("parameter_invalid", field)
    assert sequence_issue_next(sequence=sequence, **{field: "ok"}).value == 1  # nothing was taken
