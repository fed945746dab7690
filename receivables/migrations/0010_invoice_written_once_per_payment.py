"""A payment writes each of its invoices once: the database moves the total and the balance together."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0009_statement_triggers_by_payment_key")]

    operations = [run_sql_files(__file__)]
