"""Draft bills (no number, no entry until posted), one live bill per vendor reference; their guards."""

import django.db.models.deletion
import django.db.models.functions.text
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
    dependencies = [("payables", "0004_posted_fields_guards")]

    operations = [
        migrations.RemoveConstraint(model_name="vendorbill", name="vendor_bill_status_matches_balance"),
        migrations.AlterField(
            model_name="vendorbill",
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
            model_name="vendorbill",
            name="status",
            field=models.CharField(choices=STATUSES, default="open", max_length=16),
        ),
        migrations.AddConstraint(
            model_name="vendorbill",
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
                name="vendor_bill_status_matches_balance",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorbill",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("journal_entry__isnull", True), ("number", ""), ("status", "draft")),
                    models.Q(models.Q(("status", "draft"), _negated=True), ("journal_entry__isnull", False)),
                    _connector="OR",
                ),
                name="vendor_bill_draft_unposted",
                violation_error_message="A draft has no number or journal entry; a posted document has both.",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorbill",
            constraint=models.UniqueConstraint(
                models.F("entity"),
                models.F("vendor"),
                django.db.models.functions.text.Lower(
                    models.Func(
                        models.F("vendor_reference"),
                        models.Value("\\s+"),
                        models.Value(" "),
                        models.Value("g"),
                        function="regexp_replace",
                    )
                ),
                condition=models.Q(
                    models.Q(("vendor_reference", ""), _negated=True),
                    models.Q(("status", "void"), _negated=True),
                ),
                name="vendor_bill_unique_vendor_reference",
            ),
        ),
        run_sql_files(__file__),
    ]
