"""A payment's own check reads its applications by the payment's key, each invoice by its own."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0013_invoice_entity_led_by_its_composite_indexes")]

    operations = [run_sql_files(__file__)]
