"""The ledger's move out of erp, proven on the demo books: down and up again, nothing lost."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from erp.models import Entity
from ledger import selectors
from ledger.models import Account, JournalEntry, JournalLine
from ledger.services import journal_entry_post
from tests.db_roles import as_owner

MOVED_MODELS = ["account", "journalentry", "journalline"]


def migrate_to(targets) -> None:
    """Run the migrations to `targets` with a fresh view of what is applied."""
    with as_owner():  # migrations run as the owner role
        executor = MigrationExecutor(connection)
        executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def ledger_figures(entity) -> tuple:
    """Return what must survive the move: row counts, the trial balance and the journal's numbers."""
    balance = selectors.trial_balance(entity=entity)
    return (
        Account.objects.filter(entity=entity).count(),
        sorted(JournalEntry.objects.filter(entity=entity).values_list("number", flat=True)),
        JournalLine.objects.filter(entry__entity=entity).count(),
        balance.total_debit,
        balance.total_credit,
    )


def content_type_apps() -> set[str]:
    """Return the app labels the moved models' content types carry."""
    return set(ContentType.objects.filter(model__in=MOVED_MODELS).values_list("app_label", flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_move_runs_down_and_up_on_the_demo_books_and_keeps_every_row():
    call_command("load_demo", "--json", stdout=StringIO())
    entity = Entity.objects.get(code="demo")
    before = ledger_figures(entity)
    assert before[1] and before[3] == before[4]
    assert content_type_apps() == {"ledger"}

    try:
        # Back to where erp owned the ledger: the tables and their rows are untouched.
        migrate_to([("ledger", None)])
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM erp_journalline")
            assert cursor.fetchone()[0] == before[2]
        assert content_type_apps() == {"erp"}
    finally:
        migrate_to(None)

    assert content_type_apps() == {"ledger"}
    assert ledger_figures(entity) == before
    # The moved models still post, numbered from the same journal counter, and new entities get a chart.
    with transaction.atomic():
        entry = journal_entry_post(
            entity=entity,
            date=datetime.date.today(),
            memo="after the move",
            lines=[("cash", "10.00", "0"), ("revenue", "0", "10.00")],
            source_type="test",
            source_id="move",
            posted_by="test",
        )
    assert entry.number and entry.number not in before[1]
    assert selectors.trial_balance(entity=entity).balanced
    call_command("create_entity", "--name", "After the move", "--json", stdout=StringIO())
    assert Account.objects.filter(entity__code="after-the-move").count() == before[0]


@pytest.mark.django_db(transaction=True)
def test_the_way_back_merges_a_content_type_made_while_both_apps_held_the_model():
    # `migrate erp 0003` unapplies only erp's half of the move; Django's post-migrate step then makes
    # erp content types beside ledger's, and a group may be granted a permission on either.
    accountants = Group.objects.create(name="accountants")
    accountants.permissions.add(Permission.objects.get(codename="view_account"))
    stale = ContentType.objects.create(app_label="erp", model="account")
    stale_permission = Permission.objects.create(
        content_type=stale, codename="view_account", name="Can view account"
    )
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(stale_permission)

    try:
        migrate_to([("ledger", None)])
        assert content_type_apps() == {"erp"}
        merged = Permission.objects.get(content_type__app_label="erp", codename="view_account")
        assert set(merged.group_set.values_list("name", flat=True)) == {"accountants", "auditors"}
    finally:
        migrate_to(None)
    assert content_type_apps() == {"ledger"}
    assert Group.objects.get(name="auditors").permissions.get().content_type.app_label == "ledger"
