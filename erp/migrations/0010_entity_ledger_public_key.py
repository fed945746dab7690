"""The entity's ledger public key (docs/audit.md, "Signed checkpoints")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("erp", "0009_activity_log")]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="ledger_public_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
    ]
