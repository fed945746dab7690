"""Chain links over the previous hash's bytes, and a number's text without its chain's ids (docs/audit.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0007_chains")]

    operations = [run_sql_files(__file__)]
