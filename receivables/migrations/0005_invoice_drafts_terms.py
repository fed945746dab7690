"""Draft invoices (no number, no entry until posted), bill-to and payment terms; their database guards."""

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

from erp.sql_migrations import run_sql_files

STATUSES = [
    ("draft", "Draft"),
    ("open", "Open"),
    ("partially_paid", "Partially Paid"),
    ("paid", "Paid"),
    ("void", "Void"),
]


class Migration(migrations.Migration):
    dependencies = [("receivables", "0004_invoice_applied_total")]

    operations = [
        migrations.RemoveConstraint(model_name="invoice", name="invoice_status_matches_balance"),
        migrations.AddField(model_name="invoice", name="bill_to", field=models.TextField(blank=True)),
        migrations.AddField(
            model_name="invoice",
            name="payment_terms_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="journal_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.journalentry",
            ),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="status",
            field=models.CharField(choices=STATUSES, default="open", max_length=16),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("balance_due", models.F("total")), ("status__in", ["draft", "open"])),
                    models.Q(
                        ("balance_due__gt", 0),
                        ("balance_due__lt", models.F("total")),
                        ("status", "partially_paid"),
                    ),
                    models.Q(("balance_due", 0), ("status__in", ["paid", "void"])),
                    _connector="OR",
                ),
                name="invoice_status_matches_balance",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("journal_entry__isnull", True), ("number", ""), ("status", "draft")),
                    models.Q(models.Q(("status", "draft"), _negated=True), ("journal_entry__isnull", False)),
                    _connector="OR",
                ),
                name="invoice_draft_unposted",
                violation_error_message="A draft has no number or journal entry; a posted document has both.",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("payment_terms_days__isnull", True),
                    models.Q(
                        (
                            "due_date",
                            models.ExpressionWrapper(
                                django.db.models.expressions.CombinedExpression(
                                    models.F("invoice_date"), "+", models.F("payment_terms_days")
                                ),
                                output_field=models.DateField(),
                            ),
                        ),
                        ("payment_terms_days__lte", 365),
                    ),
                    _connector="OR",
                ),
                name="invoice_due_date_follows_terms",
            ),
        ),
        run_sql_files(__file__),
    ]
