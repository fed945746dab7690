"""An AP payment's own check reads its applications by the payment's key, each bill and credit by its own."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("payables", "0009_running_totals_written_once_per_payment")]

    operations = [run_sql_files(__file__)]
