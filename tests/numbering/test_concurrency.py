"""Real processes, real transactions: no duplicates, no gaps, and sequences never block each other.

Children are forked after the parent closed its connection, so each opens its own to the test
database (whose name the parent passes on; tests/processes.py). Interleavings are made
deterministic with events and by watching pg_stat_activity, never by sleeping and hoping.
"""

import random

import pytest
from django.db import connection, transaction

from erp.exceptions import Conflict
from erp.models import Entity
from numbering.audit import sequence_audit
from numbering.models import IssuedNumber, NumberingPeriod, Sequence
from numbering.services import sequence_create, sequence_issue_next
from tests.erp.factories import EntityFactory
from tests.numbering.factories import SequenceFactory
from tests.processes import FORK, WAIT, connect_child, outcome, start, wait_until, waits_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 16
NUMBERS_PER_WORKER = 250
ROLLBACK_SHARE = 0.10


class DocumentFailed(Exception):
    """Raised inside a document's transaction after it took its number, to roll both back."""

    def __init__(self, value: int):
        super().__init__(value)
        self.value = value


def issue_many(db_name: str, sequence_id, count: int, seed: int):
    connect_child(db_name)
    chance = random.Random(seed)
    sequence = Sequence.objects.select_related("entity").get(pk=sequence_id)
    committed, rolled_back = [], []
    for index in range(count):
        try:
            with transaction.atomic():
                issued = sequence_issue_next(
                    sequence=sequence, document_type="test", document_id=f"{seed}-{index}"
                )
                if chance.random() < ROLLBACK_SHARE:
                    raise DocumentFailed(issued.value)
            committed.append(issued.value)
        except DocumentFailed as failed:
            rolled_back.append(failed.value)
    return committed, rolled_back


def issue_until_refused(db_name: str, sequence_id, attempts: int):
    connect_child(db_name)
    sequence = Sequence.objects.get(pk=sequence_id)
    issued, refusals = [], []
    for _ in range(attempts):
        try:
            with transaction.atomic():
                issued.append(sequence_issue_next(sequence=sequence).value)
        except Conflict as conflict:
            refusals.append(conflict.code)
    return issued, refusals


def hold_a_number(db_name: str, sequence_id, holding, release):
    connect_child(db_name)
    with transaction.atomic():
        issued = sequence_issue_next(sequence=Sequence.objects.get(pk=sequence_id))
        holding.set()
        if not release.wait(WAIT):
            raise TimeoutError("never released")
    return issued.value


def issue_one(db_name: str, sequence_id, lock_timeout_ms: int, started=None):
    pid = connect_child(db_name, lock_timeout_ms)
    sequence = Sequence.objects.get(pk=sequence_id)
    if started is not None:
        started.put(pid)
    try:
        with transaction.atomic():
            return "issued", sequence_issue_next(sequence=sequence).value
    except Conflict as conflict:
        return "refused", conflict.code


def test_sixteen_processes_on_one_sequence_leave_no_duplicate_and_no_gap(entity, db_name):
    sequence = SequenceFactory(entity=entity)
    connection.close()
    workers = [start(issue_many, db_name, sequence.pk, NUMBERS_PER_WORKER, seed) for seed in range(WORKERS)]
    reports = [outcome(*worker) for worker in workers]

    committed = sorted(value for done, _ in reports for value in done)
    rolled_back = [value for _, failed in reports for value in failed]
    assert len(committed) + len(rolled_back) == WORKERS * NUMBERS_PER_WORKER
    assert rolled_back, "some documents must have failed after taking their number"
    assert committed == list(range(1, len(committed) + 1))  # no duplicate, no gap
    saved = list(
        IssuedNumber.objects.filter(sequence=sequence).order_by("value").values_list("value", flat=True)
    )
    assert saved == committed
    assert NumberingPeriod.objects.get(sequence=sequence).last_value == len(committed)
    assert sequence_audit(sequence=sequence)["ok"] is True


def test_racing_for_the_last_numbers_never_passes_the_end(entity, db_name):
    # The counter's re-check after a lock wait (not a read before it) decides: exactly the range.
    sequence = SequenceFactory(entity=entity, ending_number=100)
    connection.close()
    workers = [start(issue_until_refused, db_name, sequence.pk, 40) for _ in range(4)]
    reports = [outcome(*worker) for worker in workers]
    issued = sorted(value for values, _ in reports for value in values)
    refusals = [code for _, codes in reports for code in codes]
    assert issued == list(range(1, 101))
    assert refusals == ["sequence_exhausted"] * 60
    assert IssuedNumber.objects.filter(sequence=sequence).count() == 100


def test_two_sequences_never_block_each_other(entity, db_name):
    busy, free = SequenceFactory(entity=entity), SequenceFactory(entity=entity)
    elsewhere = SequenceFactory(entity=EntityFactory())
    sequence_issue_next(sequence=busy)  # its period exists: the holder will lock that row
    connection.close()
    holding, release = FORK.Event(), FORK.Event()
    holder = start(hold_a_number, db_name, busy.pk, holding, release)
    try:
        assert holding.wait(WAIT), "the holder never took its number"
        # While the holder keeps sequence 1 locked, sequence 2 (and another entity's) issue at once:
        # a short lock timeout would turn any wait into a refusal.
        assert outcome(*start(issue_one, db_name, free.pk, 2000)) == ("issued", 1)
        assert outcome(*start(issue_one, db_name, elsewhere.pk, 2000)) == ("issued", 1)
        # The same short timeout on sequence 1 proves the row lock is held: a bounded wait, then 409.
        assert outcome(*start(issue_one, db_name, busy.pk, 300)) == ("refused", "sequence_busy")
    finally:
        release.set()
    assert outcome(*holder) == 2
    assert outcome(*start(issue_one, db_name, busy.pk, 2000)) == ("issued", 3)


def test_waiting_for_a_period_another_transaction_is_creating_is_bounded_too(entity, db_name):
    sequence = SequenceFactory(entity=entity)
    connection.close()
    holding, release = FORK.Event(), FORK.Event()
    holder = start(hold_a_number, db_name, sequence.pk, holding, release)  # creates the period
    try:
        assert holding.wait(WAIT)
        assert outcome(*start(issue_one, db_name, sequence.pk, 300)) == ("refused", "sequence_busy")
    finally:
        release.set()
    assert outcome(*holder) == 1


@pytest.mark.parametrize("period_exists", [True, False], ids=["row-lock", "period-creation"])
def test_a_waiter_waits_for_the_holder_then_takes_the_next_number(entity, db_name, period_exists):
    sequence = SequenceFactory(entity=entity)
    if period_exists:
        sequence_issue_next(sequence=sequence)
    connection.close()
    holding, release = FORK.Event(), FORK.Event()
    holder = start(hold_a_number, db_name, sequence.pk, holding, release)
    assert holding.wait(WAIT)
    started = FORK.Queue()
    waiter = start(issue_one, db_name, sequence.pk, 60_000, started)
    waiter_pid = started.get(timeout=WAIT)
    try:
        wait_until(lambda: waits_for_a_lock(waiter_pid), "the waiter is blocked behind the holder")
    finally:
        release.set()
    held = outcome(*holder)
    assert outcome(*waiter) == ("issued", held + 1)


def create_and_hold(db_name: str, entity_id, name: str, holding, release):
    """Create a sequence named `name` in a transaction left open until the parent says so."""
    connect_child(db_name)
    with transaction.atomic():
        sequence_create(entity=Entity.objects.get(pk=entity_id), name=name)
        holding.set()
        assert release.wait(WAIT)


def create_named(db_name: str, entity_id, name: str, started):
    """Create a sequence named `name`; report how it ended."""
    started.put(connect_child(db_name))
    try:
        sequence_create(entity=Entity.objects.get(pk=entity_id), name=name)
    except Conflict as refused:
        return ("refused", refused.code, refused.param)
    return ("created",)


def test_two_creates_of_one_name_at_once_refuse_the_later_with_its_code(entity, db_name):
    # The later create passes the early check (the first is not committed yet), then waits at the
    # unique index: it must answer sequence_name_taken, not a generic conflict.
    connection.close()
    holding, release, started = FORK.Event(), FORK.Event(), FORK.Queue()
    first = start(create_and_hold, db_name, entity.pk, "Race", holding, release)
    try:
        assert holding.wait(WAIT)
        second = start(create_named, db_name, entity.pk, "Race", started)
        second_backend = started.get(timeout=WAIT)
        wait_until(lambda: waits_for_a_lock(second_backend), "the second create waits at the unique index")
    finally:
        release.set()
    assert outcome(*first) is None
    assert outcome(*second) == ("refused", "sequence_name_taken", "name")
    assert Sequence.objects.filter(entity=entity, name="Race").count() == 1
