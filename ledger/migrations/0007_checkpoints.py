"""Signed checkpoints of the hash chains' heads, append-only (docs/audit.md)."""

import django.db.models.deletion
from django.db import migrations, models

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_journal_chain"), ("erp", "0010_entity_ledger_public_key")]

    operations = [
        migrations.CreateModel(
            name="LedgerCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chain_id", models.CharField(max_length=80)),
                ("position", models.BigIntegerField()),
                ("record_type", models.CharField(max_length=20)),
                ("record_id", models.CharField(max_length=64)),
                ("chain_hash", models.CharField(max_length=64)),
                ("signed_at", models.DateTimeField()),
                ("public_key", models.CharField(max_length=64)),
                ("signature", models.CharField(max_length=128)),
                (
                    "entity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="erp.entity"
                    ),
                ),
            ],
            options={
                "ordering": ["chain_id", "position"],
                "indexes": [models.Index(fields=["entity", "chain_id", "position"], name="checkpoint_chain")],
            },
        ),
        run_sql_files(__file__),
    ]
