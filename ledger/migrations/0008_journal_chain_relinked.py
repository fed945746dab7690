"""The journal chains linked again over the previous hash's bytes (numbering 0008; docs/audit.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_checkpoints"), ("numbering", "0008_chain_links_binary")]

    operations = [run_sql_files(__file__)]
