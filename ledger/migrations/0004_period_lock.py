"""Closed periods: the database refuses a journal entry dated on or before its entity's lock_date."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_entry_posts"), ("erp", "0006_entity_lock_date")]

    operations = [run_sql_files(__file__)]
