"""An API key records who revoked it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("erp", "0004_ledger_moved_out")]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="revoked_by",
            field=models.CharField(blank=True, default="", editable=False, max_length=150),
        ),
    ]
