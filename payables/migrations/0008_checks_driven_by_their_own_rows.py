"""An AP payment's checks start from the rows they check, never from every payment or application."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("payables", "0007_applications_indexed_by_their_unique_key")]

    operations = [run_sql_files(__file__)]
