"""An idempotency record's entity needs no index of its own: the unique key index leads with it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0014_activity_chain_head_guarded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="entity",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="erp.entity"
            ),
        ),
    ]
