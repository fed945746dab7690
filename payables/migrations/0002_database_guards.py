"""Database guards: cross-row sums checked at commit, numbered documents, append-only history."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("payables", "0001_initial")]

    operations = [run_sql_files(__file__)]
