"""An application's payment needs no index of its own: the unique (payment, invoice) index leads with it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("receivables", "0010_invoice_written_once_per_payment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="paymentapplication",
            name="payment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="receivables.payment",
            ),
        ),
    ]
