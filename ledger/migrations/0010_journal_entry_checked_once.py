"""A journal entry is checked once at commit, by its own deferred check, not again for each of its lines."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_period_lock_waits")]

    operations = [run_sql_files(__file__)]
