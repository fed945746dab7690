"""The sequence chains: every issued number, void and counter event is linked, in one chain per sequence.

Tampering as the database superuser is in tests/system/test_ledger_verification.py; here the chain is
built by the services and checked link by link (docs/audit.md, "Hash chains").
"""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from ledger.proof.records import sequence_chain
from ledger.proof.verification import chain_break
from numbering.models import ChainHead, CounterEvent, IssuedNumber, Sequence
from numbering.services import (
    counter_advance,
    issued_number_void,
    sequence_create,
    sequence_issue_block,
    sequence_issue_next,
)
from tests.db_roles import application_conninfo, connected, superuser_sql
from tests.helpers import refused, sql
from tests.numbering.factories import SequenceFactory
from tests.processes import FORK, blocked_by, connect_child, outcome, receive, start, wait_until

pytestmark = pytest.mark.django_db


def linked(sequence) -> list[tuple[int, str, str]]:
    """Return the sequence's chain as (position, record type, record id), in order."""
    return [(r.position, r.record_type, r.record_id) for r in sequence_chain(sequence_id=sequence.pk).records]


def test_numbers_voids_and_counter_events_share_one_chain_in_the_order_they_happened(entity):
    sequence = SequenceFactory(entity=entity)
    first = sequence_issue_next(sequence=sequence)
    block = sequence_issue_block(sequence=sequence, count=3)
    event = counter_advance(sequence=sequence, advance_to=10, reason="migration", actor="test")
    issued_number_void(issued_number=block[1], reason="printed twice", voided_by="test")
    last = sequence_issue_next(sequence=sequence)
    assert linked(sequence) == [
        (1, "number", str(first.pk)),
        (2, "number", str(block[0].pk)),
        (3, "number", str(block[1].pk)),
        (4, "number", str(block[2].pk)),
        (5, "counter_event", str(event.pk)),
        (6, "void", str(block[1].pk)),
        (7, "number", str(last.pk)),
    ]
    assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None
    head = ChainHead.objects.get(chain_id=f"sequence:{sequence.pk}")
    assert (head.position, head.hash) == (7, IssuedNumber.objects.get(pk=last.pk).chain_hash)


@pytest.mark.parametrize("count", [1, 5])  # the one-number statement and the block statement
def test_the_issuing_statement_writes_the_canonical_text_the_triggers_write(entity, count):
    # The issuing statements link their numbers inline; every other insert is linked by the trigger from
    # numbering_number_chain_fields(). Both must write the same text, or verification would fail.
    sequence = SequenceFactory(entity=entity)
    for _ in range(6 - count):  # one block of 5, or five single numbers
        sequence_issue_block(
            sequence=sequence, count=count, reference="import 7 ✓", issued_by="api_key:ark_x"
        )
    records = [r for r in sequence_chain(sequence_id=sequence.pk).records if r.record_type == "number"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT numbering_number_chain_fields(n) FROM numbering_issuednumber AS n WHERE sequence_id = %s "
            "ORDER BY chain_position",
            [sequence.pk],
        )
        from_sql = [row[0] for row in cursor.fetchall()]
    from_python = ["".join(f"{len(f.encode())}:{f}," for f in r.fields) for r in records]
    assert from_sql == from_python
    assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None


def test_alpha_and_padded_numbers_link_as_printed(entity):
    alpha = sequence_create(entity=entity, name="Alpha", type="alpha", fixed_length=3, reset="never")
    sequence_issue_block(sequence=alpha, count=30)
    wide = sequence_create(entity=entity, name="Wide", format="W-{i2}-é", reset="never")
    sequence_issue_block(sequence=wide, count=120)  # past 99: padding never truncates
    for sequence in (alpha, wide):
        assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None


def test_a_sequence_with_several_periods_is_one_chain(entity):
    sequence = sequence_create(entity=entity, name="Yearly", format="{yyyy}-{i3}", reset="calendar_year")
    sequence_issue_next(sequence=sequence, date=datetime.date(2025, 12, 31))
    sequence_issue_next(sequence=sequence, date=datetime.date(2026, 1, 2))
    sequence_issue_next(sequence=sequence, date=datetime.date(2025, 12, 30))
    assert [position for position, _, _ in linked(sequence)] == [1, 2, 3]
    assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None


def test_links_are_written_by_the_database_only(entity):
    sequence = SequenceFactory(entity=entity)
    number = sequence_issue_next(sequence=sequence)
    event = counter_advance(sequence=sequence, advance_to=5, reason="migration", actor="test")
    with refused(match="the only change allowed is voiding it"):
        sql("UPDATE numbering_issuednumber SET chain_hash = repeat('0', 64) WHERE id = %s", [number.pk])
    with refused(match="written by the database only"):  # not even along with a void
        sql(
            "UPDATE numbering_issuednumber SET status = 'voided', void_reason = 'x', voided_at = now(), "
            "chain_position = 9 WHERE id = %s",
            [number.pk],
        )
    with refused(match="cannot be changed"):
        sql("UPDATE numbering_counterevent SET reason = 'other' WHERE id = %s", [event.pk])
    with refused(match="only moves forward"):
        sql("UPDATE numbering_chainhead SET position = 1 WHERE chain_id = %s", [f"sequence:{sequence.pk}"])
    with refused(match="only moves forward"):
        sql("DELETE FROM numbering_chainhead")


def test_a_row_written_without_the_issuing_statement_is_linked_by_the_trigger(entity):
    # Raw SQL that leaves chain_hash empty (as an import script might): the trigger links it.
    sequence = SequenceFactory(entity=entity)
    first = sequence_issue_next(sequence=sequence)
    sql("UPDATE numbering_numberingperiod SET last_value = 2 WHERE id = %s", [first.period_id])
    sql(
        "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status, "
        "document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by) "
        "VALUES (gen_random_uuid(), %s, %s, %s, 2, 'T0002', 'issued', '', '', 'raw', now(), '', '', '')",
        [entity.pk, sequence.pk, first.period_id],
    )
    assert [position for position, _, _ in linked(sequence)] == [1, 2]
    assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_older_than_the_head_cannot_link_onto_it(entity):
    # Under REPEATABLE READ the transaction's snapshot may predate the head another writer moved: locking
    # the head then fails the transaction (serialization failure) instead of linking onto a stale head.
    sequence = SequenceFactory(entity=entity)
    sequence_issue_next(sequence=sequence)
    with pytest.raises(DatabaseError, match="could not serialize"), transaction.atomic():
        sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        sql("SELECT 1")  # the snapshot is taken here
        with connected(application_conninfo()) as other:  # another writer moves the head meanwhile
            other.execute(
                "UPDATE numbering_chainhead SET position = position + 1 WHERE chain_id = %s",
                [f"sequence:{sequence.pk}"],
            )
        sequence_issue_next(sequence=sequence)
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 1


def _issue_in_period(db_name, sequence_id, date, messages, release):
    connect_child(db_name)
    sequence = Sequence.objects.get(pk=sequence_id)
    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, date=date)
        messages.put("issued")
        if release is not None:
            release.get(timeout=120)
    return str(issued.pk)


@pytest.mark.django_db(transaction=True)
def test_two_periods_of_one_sequence_never_fork_its_chain(entity, db_name):
    # Two periods are two counter rows: nothing but the chain's lock orders their numbers.
    sequence = sequence_create(entity=entity, name="Yearly", format="{yyyy}-{i3}", reset="calendar_year")
    sequence_issue_next(sequence=sequence, date=datetime.date(2025, 6, 1))
    sequence_issue_next(sequence=sequence, date=datetime.date(2026, 6, 1))
    first_messages, release, second_messages = FORK.Queue(), FORK.Queue(), FORK.Queue()
    first, first_results = start(
        _issue_in_period, db_name, sequence.pk, datetime.date(2025, 7, 1), first_messages, release
    )
    receive(first_messages, first, "the first issuer holds its number")
    first_pid = _backend_of(first)
    second, second_results = start(
        _issue_in_period, db_name, sequence.pk, datetime.date(2026, 7, 1), second_messages, None
    )
    wait_until(lambda: len(blocked_by(first_pid)) == 1, "the second issuer waits for the chain")
    release.put("commit")
    first_id, second_id = outcome(first, first_results), outcome(second, second_results)
    chain = sequence_chain(sequence_id=sequence.pk)
    assert [r.record_id for r in chain.records][-2:] == [first_id, second_id]
    assert chain_break(chain) is None


def _backend_of(process) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND state = 'idle in transaction'"
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


def test_counter_events_are_linked_even_when_written_directly(entity):
    sequence = SequenceFactory(entity=entity)
    issued = sequence_issue_next(sequence=sequence)
    event = CounterEvent.objects.create(
        entity=entity,
        sequence=sequence,
        period_id=issued.period_id,
        kind="advance",
        value_before=1,
        value_after=1,
        reason="noted",
    )
    event.refresh_from_db()
    assert event.chain_position == 2
    assert chain_break(sequence_chain(sequence_id=sequence.pk)) is None


def _issue_and_void(db_name, sequence_id, seed):
    connect_child(db_name)
    sequence = Sequence.objects.select_related("entity").get(pk=sequence_id)
    for index in range(25):
        date = datetime.date(2025 + index % 2, 6, 1)  # two periods: two counter rows, one chain
        with transaction.atomic():
            if index % 5 == 4:
                sequence_issue_block(sequence=sequence, count=3, date=date)
            else:
                issued = sequence_issue_next(sequence=sequence, date=date)
        if index % 7 == 3:
            issued_number_void(issued_number=issued, reason=f"worker {seed}", voided_by="test")
    return True


@pytest.mark.django_db(transaction=True)
def test_eight_processes_issuing_and_voiding_leave_one_unbroken_chain(entity, db_name):
    sequence = sequence_create(entity=entity, name="Busy", format="{yyyy}-{i4}", reset="calendar_year")
    workers = [start(_issue_and_void, db_name, sequence.pk, seed) for seed in range(8)]
    assert all(outcome(*worker) for worker in workers)
    chain = sequence_chain(sequence_id=sequence.pk)
    assert [record.position for record in chain.records] == list(range(1, len(chain.records) + 1))
    assert len(chain.records) == 8 * (20 + 5 * 3 + 4)
    assert chain_break(chain) is None


def _issue(sequence, count: int) -> list:
    """Issue `count` numbers with the statement callers of that count get (one number, or a block)."""
    if count == 1:
        return [sequence_issue_next(sequence=sequence, document_type="invoice", document_id="INV-9")]
    return list(sequence_issue_block(sequence=sequence, count=count, reference="batch"))


@pytest.mark.django_db(transaction=True)  # the superuser's connection sees committed rows only
@pytest.mark.parametrize("count", [1, 3])
def test_either_issuing_statement_links_numbers_whose_rewrite_is_named(entity, count):
    # The one-number statement links through folio_chain_link() (numbering/migrations/0010), a block
    # through its recursive CTE: both verify clean, after and before the other, and a rewritten number
    # of either is the break.
    sequence = SequenceFactory(entity=entity)
    _issue(sequence, 4 - count)
    issued = _issue(sequence, count)
    _issue(sequence, 4 - count)
    chain = sequence_chain(sequence_id=sequence.pk)
    assert [record.position for record in chain.records] == list(range(1, 9 - count))
    assert chain_break(chain) is None
    head = ChainHead.objects.get(chain_id=f"sequence:{sequence.pk}")
    assert (head.position, head.hash) == (chain.records[-1].position, chain.records[-1].chain_hash)
    superuser_sql("UPDATE numbering_issuednumber SET issued_by = 'forger' WHERE id = %s", [issued[-1].pk])
    broken = chain_break(sequence_chain(sequence_id=sequence.pk))
    assert (broken.record_id, broken.reason) == (str(issued[-1].pk), "hash_mismatch")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [1, 3])
def test_a_sequence_without_its_chain_head_issues_nothing(entity, count):
    # Only a superuser could remove a head (the guard refuses it to everyone else): issuing is then an
    # error that rolls the transaction back, never a number without its link.
    sequence = SequenceFactory(entity=entity)
    _issue(sequence, 1)
    superuser_sql("DELETE FROM numbering_chainhead WHERE chain_id = %s", [f"sequence:{sequence.pk}"])
    with pytest.raises(DatabaseError, match="has no hash chain head"), transaction.atomic():
        _issue(sequence, count)
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 1
    assert Sequence.objects.get(pk=sequence.pk).periods.get().last_value == 1
