"""Invoice pages keep room for the row versions a payment writes (HOT updates)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0007_payment_path_triggers")]

    operations = [run_sql_files(__file__)]
