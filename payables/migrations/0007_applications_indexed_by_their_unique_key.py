"""An application's payment needs no index of its own: the unique (payment, bill) index leads with it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payables", "0006_numbers_voided_with_documents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appaymentapplication",
            name="payment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="payables.appayment",
            ),
        ),
    ]
