"""The journal chain: each entity's entries, with their lines, linked as they are numbered (docs/audit.md)."""

import datetime

import pytest
from django.db import connection

from ledger.proof.records import journal_chain
from ledger.proof.verification import chain_break
from ledger.services import journal_entry_post, journal_entry_reverse
from numbering.chains import chain_field
from tests.helpers import refused, sql

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


def post(entity, amount="20.00", memo="sale"):
    return journal_entry_post(
        entity=entity,
        date=DAY,
        memo=memo,
        lines=[("cash", amount, 0), ("revenue", 0, amount)],
        source_type="manual",
        source_id="",
        posted_by="test",
    )


def test_entries_are_linked_per_entity_in_the_order_they_are_numbered(entity, other_entity):
    first, other, second = post(entity), post(other_entity), post(entity, "5.50")
    reversal = journal_entry_reverse(entry=second, date=DAY, memo="undo", posted_by="test")
    chain = journal_chain(entity=entity)
    assert [(r.position, r.record_id) for r in chain.records] == [
        (1, str(first.pk)),
        (2, str(second.pk)),
        (3, str(reversal.pk)),
    ]
    assert chain_break(chain) is None
    assert [r.record_id for r in journal_chain(entity=other_entity).records] == [str(other.pk)]


def test_the_link_covers_the_lines(entity):
    entry = post(entity, "12.34")
    record = journal_chain(entity=entity).records[0]
    assert record.fields[10] == "2"  # line count, then id, account, debit, credit of each line
    assert sorted(record.fields[13::4]) == ["0.00", "12.34"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ledger_journal_entry_chain_fields(e) FROM erp_journalentry AS e WHERE id = %s", [entry.pk]
        )
        assert cursor.fetchone()[0] == "".join(chain_field(f) for f in record.fields)


def test_a_numbered_entry_takes_no_further_line(entity):
    entry = post(entity)
    cash = entry.lines.first().account_id
    with refused("journal_lines_before_number"):
        sql(
            "INSERT INTO erp_journalline (entry_id, account_id, debit, credit) "
            "VALUES (%s, %s, 1, 0), (%s, %s, 0, 1)",
            [entry.pk, cash, entry.pk, cash],
        )


def test_an_entry_inserted_with_a_link_of_its_own_is_unlinked_until_numbered(entity):
    # A client cannot hand the database a link: inserted links are dropped, and the entry is linked when
    # it is numbered (here it never is, so the commit-time check refuses it anyway).
    entry = post(entity)
    with refused("journal_entry_balanced"):
        sql(
            "INSERT INTO erp_journalentry (id, entity_id, number, date, memo, source_type, source_id, "
            "posted_at, posted_by, chain_position, chain_hash) "
            "VALUES (gen_random_uuid(), %s, '', %s, '', 'raw', '', now(), '', 2, %s)",
            [entity.pk, DAY, entry.chain_hash],
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM erp_journalentry WHERE chain_hash IS NOT NULL AND source_type = 'raw'"
            )
            assert cursor.fetchone()[0] == 0
