"""The issued number → period guard checked once per statement instead of once per row."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0002_database_guards")]

    operations = [run_sql_files(__file__)]
