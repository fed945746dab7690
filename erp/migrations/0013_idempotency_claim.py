"""An Idempotency-Key's advisory lock and its stored record read in one round trip (docs/benchmarks.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("erp", "0012_activity_chain_head")]

    operations = [run_sql_files(__file__)]
