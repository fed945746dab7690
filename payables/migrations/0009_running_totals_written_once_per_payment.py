"""Each bill and vendor credit keeps its running total, kept by the database with its balance in one write."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("payables", "0008_checks_driven_by_their_own_rows")]

    operations = [run_sql_files(__file__)]
