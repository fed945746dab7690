"""Closed periods: a journal entry's lock-date check waits for a lock date being set (docs/posting.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_journal_chain_relinked")]

    operations = [run_sql_files(__file__)]
