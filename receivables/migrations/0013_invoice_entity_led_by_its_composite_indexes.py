"""An invoice's entity needs no index of its own: invoice_customer_status, invoice_entity_date and the
unique number all lead with it (one index less to write per invoice, and per invoice row moved off its
page by a payment)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0015_idempotency_entity_indexed_by_the_unique_key"),
        ("receivables", "0012_checks_driven_by_their_own_rows"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="entity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="erp.entity",
            ),
        ),
    ]
