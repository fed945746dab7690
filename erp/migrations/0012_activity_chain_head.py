"""The activity chain's head row per entity, locked and moved by the commit-time link (docs/activity.md)."""

import django.db.models.deletion
from django.db import migrations, models

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("erp", "0011_activity_chain_lock_order")]

    operations = [
        migrations.CreateModel(
            name="ActivityChainHead",
            fields=[
                (
                    "entity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="erp.entity",
                    ),
                ),
                ("seq", models.BigIntegerField()),
                ("chain_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "db_table": "erp_activity_chainhead",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("seq__gte", 0)), name="activity_chain_head_seq"
                    )
                ],
            },
        ),
        run_sql_files(__file__),
    ]
