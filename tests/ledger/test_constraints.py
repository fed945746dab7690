"""The database keeps double entry on its own, even against raw SQL; posted entries cannot change."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.models import Account, JournalEntry, JournalLine
from ledger.services import journal_entry_post
from tests.db_roles import as_owner
from tests.helpers import refused, sql


def account_id(entity, code) -> uuid.UUID:
    return Account.objects.get(entity=entity, code=code).pk


def raw_entry(entity, lines, *, number="RAW-1") -> uuid.UUID:
    """Write an entry and its lines with plain SQL, around every service check.

    Lines first, number last, as the services write it: a numbered entry takes no further line.
    """
    entry_id = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO erp_journalentry (id, entity_id, number, date, memo, source_type, source_id,"
            " posted_at, posted_by) VALUES (%s, %s, '', %s, '', 'raw', '', now(), '')",
            [entry_id, entity.pk, datetime.date(2026, 4, 1)],
        )
        for account, debit, credit in lines:
            cursor.execute(
                "INSERT INTO erp_journalline (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)",
                [entry_id, account, debit, credit],
            )
        if number:
            cursor.execute("UPDATE erp_journalentry SET number = %s WHERE id = %s", [number, entry_id])
    return entry_id


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_commit_an_unbalanced_entry(entity):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    # Not refused(): that forces the deferred checks before the commit; here the commit itself refuses.
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        raw_entry(entity, [(cash, "100.00", 0), (revenue, 0, "99.99")])
        # Inside the transaction the rows are there: the check waits for the commit.
        assert JournalEntry.objects.filter(source_type="raw").count() == 1
    assert raised.value.__cause__.diag.constraint_name == "journal_entry_balanced"
    assert not JournalEntry.objects.filter(source_type="raw").exists()
    assert not JournalLine.objects.filter(entry__source_type="raw").exists()


@pytest.mark.django_db(transaction=True)
def test_raw_sql_can_commit_a_balanced_numbered_entry(entity):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    with transaction.atomic():
        entry_id = raw_entry(entity, [(cash, "100.00", 0), (revenue, 0, "60.00"), (revenue, 0, "40.00")])
    assert JournalEntry.objects.get(pk=entry_id).lines.count() == 3


@pytest.mark.django_db
def test_the_deferred_check_also_fires_at_set_constraints_immediate(entity):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    with refused("journal_entry_balanced"):  # refused() ends its block with SET CONSTRAINTS ALL IMMEDIATE
        raw_entry(entity, [(cash, "10.00", 0), (revenue, 0, "10.01")])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "shape, constraint",
    [
        ("unnumbered", "journal_entry_numbered"),
        ("no_lines", "journal_entry_balanced"),
        ("debits_only", "journal_entry_balanced"),
        ("foreign_account", "journal_entry_own_accounts"),
    ],
)
def test_incomplete_entries_are_refused_at_commit(entity, other_entity, shape, constraint):
    cash, revenue = account_id(entity, "cash"), account_id(entity, "revenue")
    lines, number = [(cash, "5.00", 0), (revenue, 0, "5.00")], "RAW-2"
    if shape == "unnumbered":
        number = ""
    elif shape == "no_lines":
        lines = []
    elif shape == "debits_only":
        lines = [(cash, "5.00", 0)]
    elif shape == "foreign_account":
        lines = [(cash, "5.00", 0), (account_id(other_entity, "revenue"), 0, "5.00")]
    with refused(constraint):
        raw_entry(entity, lines, number=number)


@pytest.mark.django_db
@pytest.mark.parametrize("debit, credit", [("5.00", "5.00"), ("0", "0"), ("-5.00", "0")])
def test_a_line_has_exactly_one_positive_side(entity, debit, credit):
    with refused("journal_line_one_side"):
        raw_entry(entity, [(account_id(entity, "cash"), debit, credit)])


@pytest.fixture
def posted(entity):
    return journal_entry_post(
        entity=entity,
        date=datetime.date(2026, 4, 1),
        memo="posted",
        lines=[("cash", "20.00", 0), ("revenue", 0, "20.00")],
        source_type="test",
        source_id="1",
        posted_by="tester",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda entry: JournalLine.objects.filter(entry=entry).update(debit=0, credit=0),
        lambda entry: JournalLine.objects.filter(entry=entry, debit__gt=0).update(debit="25.00"),
        lambda entry: JournalLine.objects.filter(entry=entry).delete(),
        lambda entry: JournalEntry.objects.filter(pk=entry.pk).update(memo="rewritten"),
        lambda entry: JournalEntry.objects.filter(pk=entry.pk).update(date=datetime.date(2020, 1, 1)),
        lambda entry: JournalEntry.objects.filter(pk=entry.pk).update(number="JE9999999"),
        lambda entry: connection.cursor().execute("DELETE FROM erp_journalentry WHERE id = %s", [entry.pk]),
    ],
    ids=["zero_lines", "change_amount", "delete_lines", "memo", "date", "renumber", "delete_entry"],
)
def test_a_posted_entry_cannot_change(posted, change):
    # 23001 restrict_violation: the immutability triggers
    with refused(sqlstate="23001", match="post a reversing entry"):
        change(posted)
    posted.refresh_from_db()
    assert posted.memo == "posted"
    assert sorted((line.debit, line.credit) for line in posted.lines.all()) == sorted([(20, 0), (0, 20)])


# TRUNCATE is the owner's alone (the application's role may not at all: tests/erp/test_db_roles.py); these
# guards hold against the owner too. Committed rows, since the owner's connection is another one.


@pytest.mark.django_db(transaction=True)
def test_the_lines_are_not_truncated_without_their_entries(posted):
    # (The entries cannot be truncated alone at all: other tables refer to them by foreign key.)
    with as_owner(), refused("ledger_history_kept", sqlstate="23001"):
        sql("TRUNCATE erp_journalline")


@pytest.mark.django_db(transaction=True)
def test_the_journal_is_truncated_whole(posted):
    """As Django's test flush truncates every table in one statement (rolled back here)."""
    with as_owner(), pytest.raises(RuntimeError), transaction.atomic():
        sql("TRUNCATE erp_journalline, erp_journalentry CASCADE")
        assert not JournalEntry.objects.exists()
        raise RuntimeError("roll back")
    assert JournalEntry.objects.filter(pk=posted.pk).exists()
