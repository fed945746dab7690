"""Ledger guards: balanced and numbered at commit (deferred triggers), posted entries immutable."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("erp", "0002_ledger")]

    operations = [run_sql_files(__file__)]
