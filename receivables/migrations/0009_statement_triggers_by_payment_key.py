"""The applications' statement triggers read each payment by its key, not by scanning every payment."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("receivables", "0008_invoice_fillfactor")]

    operations = [run_sql_files(__file__)]
