"""A vendor bill's, credit's or AP payment's number is voided only with its document (numbering 0006)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("payables", "0005_bill_drafts_reference"),
        ("numbering", "0006_number_bound_to_document"),
    ]

    operations = [run_sql_files(__file__)]
