"""An invoice's number is voided only with the invoice (the guard of numbering's migration 0006)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0005_invoice_drafts_terms"),
        ("numbering", "0006_number_bound_to_document"),
    ]

    operations = [run_sql_files(__file__)]
