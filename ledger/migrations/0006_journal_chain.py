"""The journal's hash chain per entity: each entry and its lines, linked when numbered (docs/audit.md)."""

from django.db import migrations, models

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_numbers_voided_with_documents"), ("numbering", "0007_chains")]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="chain_position",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="journalentry",
            name="chain_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        run_sql_files(__file__),
    ]
