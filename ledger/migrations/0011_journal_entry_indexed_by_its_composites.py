"""A journal entry's entity and reversal need no index of their own: journal_entry_source and
journal_entry_reversed_once lead with them (one index write fewer each per entry)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0015_idempotency_entity_indexed_by_the_unique_key"),
        ("ledger", "0010_journal_entry_checked_once"),
    ]

    operations = [
        migrations.AlterField(
            model_name="journalentry",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="journal_entries",
                to="erp.entity",
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="reversal_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversals",
                to="ledger.journalentry",
            ),
        ),
    ]
