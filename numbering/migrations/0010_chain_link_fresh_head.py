"""One link onto a chain's head under a fresh snapshot, for the one-number issuing statement."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0009_chain_head_row_lock")]

    operations = [run_sql_files(__file__)]
