"""ledger_entry_posts(): whether an entry is a document's posting or its reversal (for the guards)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_keep_journal_on_truncate")]

    operations = [run_sql_files(__file__)]
