"""The activity chain's commit-time lock, taken for every entity at once in one order (docs/activity.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("erp", "0010_entity_ledger_public_key")]

    operations = [run_sql_files(__file__)]
