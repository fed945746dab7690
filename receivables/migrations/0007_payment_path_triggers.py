"""A payment's invoice updates fire no per-row guard function that could not refuse them."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0006_numbers_voided_with_documents")]

    operations = [run_sql_files(__file__)]
