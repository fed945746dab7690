"""Each invoice keeps the running total of what applied payments applied to it, kept by the database."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0003_database_guards")]

    operations = [run_sql_files(__file__)]
