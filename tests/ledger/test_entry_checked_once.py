"""A journal entry is checked once at commit, its lines with it.

ledger/migrations/0010_journal_entry_checked_once.sql dropped the lines' own deferred check. These are the
cases it could have refused, each still refused by the entry's check (or earlier): a line added to an entry
after its other lines, a line written before its entry, a line of a committed entry. Changed or deleted
lines: tests/ledger/test_constraints.py.
"""

import datetime
import uuid

import pytest
from django.db import connection

from ledger.models import Account
from ledger.services import journal_entry_post
from tests.helpers import refused, sql

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


def account_id(entity, code) -> uuid.UUID:
    return Account.objects.get(entity=entity, code=code).pk


def entry_insert(entity, *, number="") -> uuid.UUID:
    entry_id = uuid.uuid4()
    sql(
        "INSERT INTO erp_journalentry (id, entity_id, number, date, memo, source_type, source_id, posted_at,"
        " posted_by) VALUES (%s, %s, %s, %s, '', 'raw', '', now(), '')",
        [entry_id, entity.pk, number, DAY],
    )
    return entry_id


def line_insert(entry_id, account, debit, credit) -> None:
    sql(
        "INSERT INTO erp_journalline (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)",
        [entry_id, account, debit, credit],
    )


def test_a_line_added_after_the_others_is_checked_with_its_entry(entity):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    with refused("journal_entry_balanced"):
        entry_id = entry_insert(entity)
        line_insert(entry_id, cash, "10.00", 0)
        line_insert(entry_id, revenue, 0, "10.00")
        line_insert(entry_id, cash, "0.01", 0)
        sql("UPDATE erp_journalentry SET number = 'RAW-1' WHERE id = %s", [entry_id])


def test_a_line_written_before_its_entry_is_checked_with_it(entity):
    # The line's foreign key waits for the commit, so a line may come first; its entry, numbered as it is
    # inserted, is checked with it.
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    entry_id = uuid.uuid4()
    with refused("journal_entry_balanced"):
        line_insert(entry_id, cash, "10.00", 0)
        line_insert(entry_id, revenue, 0, "9.00")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO erp_journalentry (id, entity_id, number, date, memo, source_type, source_id,"
                " posted_at, posted_by) VALUES (%s, %s, 'RAW-2', %s, '', 'raw', '', now(), '')",
                [entry_id, entity.pk, DAY],
            )


def test_a_committed_entry_takes_no_line(entity):
    entry = journal_entry_post(
        entity=entity,
        date=DAY,
        memo="posted",
        lines=[("cash", "20.00", 0), ("revenue", 0, "20.00")],
        source_type="test",
        source_id="1",
        posted_by="tester",
    )
    with refused("journal_lines_before_number"):
        line_insert(entry.pk, account_id(entity, "cash"), "1.00", 0)


def test_a_balanced_entry_of_many_lines_commits(entity):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    entry_id = entry_insert(entity)
    for _ in range(5):
        line_insert(entry_id, cash, "2.00", 0)
    line_insert(entry_id, revenue, 0, "10.00")
    sql("UPDATE erp_journalentry SET number = 'RAW-3' WHERE id = %s", [entry_id])
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("SET CONSTRAINTS ALL DEFERRED")
