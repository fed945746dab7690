"""Sums and postings checked at commit, numbered invoices, history kept, posted fields fixed."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_entry_posts"),
        ("numbering", "0001_initial"),
        ("receivables", "0002_journal_entries_in_ledger"),
    ]

    operations = [run_sql_files(__file__)]
