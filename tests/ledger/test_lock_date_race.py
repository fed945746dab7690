"""The lock date and a posting in flight: whichever commits first, nothing lands in a closed period."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from erp.exceptions import RuleViolation
from erp.models import Entity
from erp.services.lock_date import entity_lock_date_set
from ledger.models import JournalEntry
from ledger.services import journal_entry_post

pytestmark = pytest.mark.django_db(transaction=True)

MARCH_15, MARCH_31 = datetime.date(2026, 3, 15), datetime.date(2026, 3, 31)
LINES = [("cash", "10.00", 0), ("revenue", 0, "10.00")]


def post(entity: Entity):
    return journal_entry_post(
        entity=entity,
        date=MARCH_15,
        memo="In flight",
        lines=LINES,
        source_type="manual",
        source_id="",
        posted_by="t",
    )


def in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_lock_date_set_while_a_posting_is_open_waits_for_it(entity):
    # The posting has its number and has not committed; the lock date's answer must not come before it
    # commits, or the closed period changes after it was closed.
    numbered, release, seen = threading.Event(), threading.Event(), {}

    def posting():
        with transaction.atomic():
            post(entity)
            numbered.set()
            release.wait(timeout=10)

    def closing():
        numbered.wait(timeout=10)
        entity_lock_date_set(entity=entity, lock_date=MARCH_31, set_by="test")
        seen["entries"] = JournalEntry.objects.filter(entity=entity, date=MARCH_15).count()

    threads = [in_thread(posting), in_thread(closing)]
    numbered.wait(timeout=10)
    threads[1].join(timeout=1.5)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert seen["entries"] == JournalEntry.objects.filter(entity=entity, date=MARCH_15).count() == 1


def test_a_posting_while_the_lock_date_is_being_set_is_refused_once_it_commits(entity):
    closing_open, release, outcome = threading.Event(), threading.Event(), {}

    def closing():
        with transaction.atomic():
            entity_lock_date_set(entity=entity, lock_date=MARCH_31, set_by="test")
            closing_open.set()
            release.wait(timeout=10)

    def posting():
        closing_open.wait(timeout=10)
        try:
            outcome["posted"] = post(Entity.objects.get(pk=entity.pk))
        except RuleViolation as error:
            outcome["refused"] = error.code

    threads = [in_thread(closing), in_thread(posting)]
    closing_open.wait(timeout=10)
    threads[1].join(timeout=1.5)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcome == {"refused": "period_locked"}
    assert not JournalEntry.objects.filter(entity=entity, date=MARCH_15).exists()
