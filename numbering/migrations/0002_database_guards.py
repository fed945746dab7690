"""Database guards: a counter that only grows, an append-only issuance ledger, alpha rendering in SQL."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0001_initial")]

    operations = [run_sql_files(__file__)]
