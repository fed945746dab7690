"""Guards joining 0002's: posted fields fixed, lines add up, own-entity rows, issued numbers, own postings."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_entry_posts"),
        ("numbering", "0001_initial"),
        ("payables", "0003_journal_entries_in_ledger"),
    ]

    operations = [run_sql_files(__file__)]
