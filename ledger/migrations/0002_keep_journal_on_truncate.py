"""The journal's entries and lines are truncated together or not at all."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [run_sql_files(__file__)]
