"""A number a document carries is voided only with its document: the guard each document's app attaches."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0005_sequence_keys_and_dialect_fields")]

    operations = [run_sql_files(__file__)]
