"""A journal entry's number is never voided: entries are reversed, not voided (numbering's migration 0006)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_period_lock"), ("numbering", "0006_number_bound_to_document")]

    operations = [run_sql_files(__file__)]
