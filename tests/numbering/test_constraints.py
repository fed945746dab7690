"""The database keeps the invariants itself: each guard is proven by going around the services."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from numbering.models import CounterEvent, IssuedNumber, NumberingPeriod, Sequence
from numbering.services import counter_advance, sequence_delete, sequence_issue_block, sequence_issue_next
from tests.db_roles import as_owner
from tests.helpers import refused, sql
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

INSERT_ISSUED = (
    "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status, "
    "document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by)"
)


@pytest.fixture
def issued(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_block(sequence=sequence, count=3)
    return sequence_issue_next(sequence=sequence)


def test_raw_sql_cannot_lower_a_counter(issued):
    with refused(match="counter only grows"):
        sql(
            "UPDATE numbering_numberingperiod SET last_value = last_value - 1 WHERE id = %s",
            [issued.period_id],
        )
    assert NumberingPeriod.objects.get(pk=issued.period_id).last_value == 4


def test_raw_sql_can_raise_a_counter_which_the_audit_then_reports(issued):
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 2 WHERE id = %s", [issued.period_id])
    assert NumberingPeriod.objects.get(pk=issued.period_id).last_value == 6


@pytest.mark.parametrize(
    "change",
    ["start_value = start_value + 1", "start = start + 1", """"end" = "end" - 1"""],
)
def test_raw_sql_cannot_move_what_identifies_a_period(issued, change):
    with refused(match="are fixed"):
        sql(f"UPDATE numbering_numberingperiod SET {change} WHERE id = %s", [issued.period_id])


def test_the_orm_cannot_lower_a_counter_either(issued):
    with refused():
        NumberingPeriod.objects.filter(pk=issued.period_id).update(last_value=0)


def test_a_counter_cannot_fall_below_its_start(entity):
    sequence = SequenceFactory(entity=entity, starting_number=10)
    number = sequence_issue_next(sequence=sequence)
    with refused():
        NumberingPeriod.objects.create(
            sequence=sequence,
            entity=entity,
            start=timezone.localdate(),
            end=timezone.localdate(),
            label="x",
            start_value=10,
            last_value=5,
        )
    assert number.value == 10


def test_issued_numbers_cannot_be_deleted(issued):
    with refused(match="cannot be deleted"):
        sql("DELETE FROM numbering_issuednumber WHERE id = %s", [issued.pk])
    with refused():
        IssuedNumber.objects.filter(pk=issued.pk).delete()
    assert IssuedNumber.objects.filter(pk=issued.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        "number = 'X9'",
        "value = 99",
        "document_id = 'other'",
        "reference = 'changed'",
        "issued_by = 'mallory'",
    ],
)
def test_issued_numbers_cannot_be_rewritten(issued, change):
    with refused(match="only change allowed"):
        sql(f"UPDATE numbering_issuednumber SET {change} WHERE id = %s", [issued.pk])


def test_the_only_update_is_voiding_and_it_happens_once(issued):
    void = (
        "UPDATE numbering_issuednumber SET status = 'voided', void_reason = 'r', voided_at = now() "
        "WHERE id = %s"
    )
    sql(void, [issued.pk])
    with refused(match="only change allowed"):
        sql(void, [issued.pk])
    with refused(match="only change allowed"):
        sql(
            "UPDATE numbering_issuednumber SET status = 'issued', voided_at = NULL WHERE id = %s", [issued.pk]
        )
    assert IssuedNumber.objects.get(pk=issued.pk).status == "voided"


def test_a_void_needs_its_reason_and_time(issued):
    with refused(match="issued_number_void_fields_consistent"):
        sql("UPDATE numbering_issuednumber SET status = 'voided' WHERE id = %s", [issued.pk])
    with refused(match="issued_number_void_fields_consistent"):
        sql(
            "UPDATE numbering_issuednumber SET status = 'voided', voided_at = now(), void_reason = '' "
            "WHERE id = %s",
            [issued.pk],
        )


def insert_issued(source, match, **overrides):
    row = {
        "entity_id": source.entity_id,
        "sequence_id": source.sequence_id,
        "period_id": source.period_id,
        "value": 1000,
        "number": "T1000",
        **overrides,
    }
    with refused(match=match):
        sql(
            f"{INSERT_ISSUED} VALUES (gen_random_uuid(), %(entity_id)s, %(sequence_id)s, %(period_id)s, "
            "%(value)s, %(number)s, 'issued', '', '', '', now(), '', '', '')",
            row,
        )


def test_a_value_cannot_be_issued_twice_in_a_period(issued):
    insert_issued(issued, "issued_number_unique_value", value=issued.value)


def test_a_rendered_number_cannot_repeat_in_a_sequence(issued):
    insert_issued(issued, "issued_number_unique_number", number=issued.number)


def test_an_issued_number_must_match_its_periods_sequence_and_entity(issued, other_entity):
    other_sequence = Sequence.objects.filter(entity=issued.entity_id).exclude(pk=issued.sequence_id).first()
    # Value 6 is one the counter passed and nobody took: only the identity can be what is refused.
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 5 WHERE id = %s", [issued.period_id])
    missing = "issued_number_period_fk: no numbering period"
    insert_issued(issued, missing, sequence_id=other_sequence.pk, value=6, number="X6")
    insert_issued(issued, missing, entity_id=other_entity.pk, value=6, number="X6")
    insert_issued(issued, missing, period_id=issued.period_id + 10_000, value=6, number="X6")
    insert_issued(issued, "issued_number_period_fk: values 10 to 10 are outside", value=10, number="X10")


def test_an_issued_value_must_have_been_counted_by_its_period(issued):
    period = NumberingPeriod.objects.get(pk=issued.period_id)
    beyond = "values 5 to 5 are outside what period"
    insert_issued(issued, beyond, value=period.last_value + 1, number="T0005")
    insert_issued(issued, "values 0 to 0 are outside", value=period.start_value - 1, number="T0000")


def test_a_block_with_one_foreign_row_is_refused_whole(issued, other_entity):
    sql("UPDATE numbering_numberingperiod SET last_value = last_value + 5 WHERE id = %s", [issued.period_id])
    with refused(match="issued_number_period_fk: no numbering period"):
        sql(
            f"{INSERT_ISSUED} SELECT gen_random_uuid(), e, %(sequence_id)s, %(period_id)s, v, 'X' || v, "
            "'issued', '', '', '', now(), '', '', '' "
            "FROM (VALUES (%(entity_id)s::uuid, 5), (%(other)s::uuid, 6)) AS rows(e, v)",
            {
                "entity_id": issued.entity_id,
                "other": other_entity.pk,
                "sequence_id": issued.sequence_id,
                "period_id": issued.period_id,
            },
        )
    assert not IssuedNumber.objects.filter(period_id=issued.period_id, value__gte=5).exists()


def test_a_period_with_issued_numbers_cannot_be_deleted_or_rekeyed(issued, other_entity):
    with refused(match="has issued numbers"):
        sql("DELETE FROM numbering_numberingperiod WHERE id = %s", [issued.period_id])
    with refused(match="has issued numbers"):
        sql("UPDATE numbering_numberingperiod SET id = id + 10000 WHERE id = %s", [issued.period_id])
    with refused(match="has issued numbers"):
        sql(
            "UPDATE numbering_numberingperiod SET entity_id = %s WHERE id = %s",
            [other_entity.pk, issued.period_id],
        )


@pytest.mark.django_db(transaction=True)  # TRUNCATE refuses to run beside pending deferred triggers
def test_periods_cannot_be_truncated_away_from_their_issued_numbers(issued):
    with as_owner():  # the application's role may not truncate at all (tests/erp/test_db_roles.py)
        with refused(match="cannot be truncated"):
            sql("TRUNCATE numbering_numberingperiod CASCADE")
        with refused(match="cannot be truncated"):
            sql("TRUNCATE numbering_sequence CASCADE")
        # Truncated together (as Django's test flush does), nothing is left to refer to anything.
        sql("TRUNCATE numbering_numberingperiod, numbering_issuednumber CASCADE")
    assert not IssuedNumber.objects.exists()


def test_a_period_without_issued_numbers_can_go_with_its_sequence(entity):
    sequence = SequenceFactory(entity=entity)
    counter_advance(sequence=sequence, advance_to=10, reason="migrated from the old system", actor="test")
    sequence_delete(sequence=sequence)
    assert not NumberingPeriod.objects.filter(sequence_id=sequence.pk).exists()


def test_a_periods_start_is_unique_per_sequence(issued):
    period = NumberingPeriod.objects.get(pk=issued.period_id)
    with refused():
        NumberingPeriod.objects.create(
            sequence=period.sequence,
            entity=period.entity,
            start=period.start,
            end=period.end,
            label="again",
            start_value=1,
            last_value=0,
        )


def test_counter_types_are_unique_per_entity_in_the_database(entity):
    with refused():
        Sequence.objects.create(entity=entity, name="Second invoice sequence", counter_type="invoice")
    Sequence.objects.create(entity=entity, name="Untyped 1")
    Sequence.objects.create(entity=entity, name="Untyped 2")  # NULL counter types do not collide


@pytest.mark.parametrize(
    "fields",
    [
        {"fixed_length": 17},
        {"fixed_length": 0},
        {"starting_number": -1},
        {"starting_number": 5, "ending_number": 4},
        {"reset": "custom"},
        {"type": "alpha", "starting_number": 0},
    ],
)
def test_sequence_ranges_are_checked_in_the_database(entity, fields):
    with refused():
        Sequence.objects.create(entity=entity, name="Raw", **fields)


def test_counter_events_need_a_reason_and_never_go_backwards(issued):
    base = {"entity_id": issued.entity_id, "sequence_id": issued.sequence_id, "period_id": issued.period_id}
    for fields in (
        {"value_before": 5, "value_after": 4, "reason": "r"},
        {"value_before": 4, "value_after": 5, "reason": ""},
    ):
        with refused():
            CounterEvent.objects.create(kind="advance", **base, **fields)


@pytest.mark.django_db(transaction=True)
def test_the_guards_migrations_are_reversible():
    def guards() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'numbering%%' AND NOT tgisinternal "
                "UNION SELECT conname FROM pg_constraint WHERE conname = 'issued_number_period_fk'"
            )
            return {row[0] for row in cursor.fetchall()}

    with as_owner():  # migrations run as the owner role
        executor = MigrationExecutor(connection)
        latest = executor.loader.graph.leaf_nodes("numbering")
        back = [("numbering", "0001_initial")]
        # Another app's migrations are unapplied only where they attach a guard to numbering's tables
        # (the number voided with its document, numbering/migrations/0006); they are applied again below.
        unapplied = {migration.app_label for migration, _ in executor.migration_plan(back)}
        assert unapplied <= {"numbering", "receivables", "payables", "ledger"}
        others = unapplied - {"numbering"}
        dependents = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] in others]
        executor.migrate(back)
        assert guards() == set()
        executor.loader.build_graph()
        executor.migrate([("numbering", "0002_database_guards")])
        assert guards() == {
            "numbering_period_monotonic",
            "numbering_issued_number_append_only",
            "issued_number_period_fk",
        }
        executor.loader.build_graph()
        executor.migrate(latest + dependents)
        assert guards() == {
            "numbering_period_monotonic",
            "numbering_issued_number_append_only",
            "numbering_issued_number_period_check",
            "numbering_period_keep_issued_on_delete",
            "numbering_period_keep_issued_on_rekey",
            "numbering_period_keep_issued_on_truncate",
            "numbering_issued_number_chained",
            "numbering_issued_number_void_chained",
            "numbering_counter_event_chained",
            "numbering_chain_head_forward",
            "numbering_chain_head_kept",
            "numbering_sequence_chain_head",
        }
