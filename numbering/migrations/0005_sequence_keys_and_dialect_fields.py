"""Sequence keys and PORTOS ids, stock transfer types, read-only rollover dates, per-period number uniqueness.

- `key`: digits drawn from a database sequence (existing rows are numbered as the column is added);
- `portos_id`: a random 24-hex id per existing row (one callable default would give every row the same);
- `rollover_enabled_date` stops being the anchor of custom periods (now `period_anchor`) and is kept
  only where rollover (fiscal_year reset) is on;
- issued numbers of a rollover with no affix are unique per period; the append-only guard learns the new
  column (0005_sequence_keys_and_dialect_fields.sql).
"""

from django.db import migrations, models

import numbering.models.sequences
from erp.sql_migrations import run_sql_files
from numbering.models.sequences import KEY_SEQUENCE


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0004_ledger_moved_out"),
        ("numbering", "0004_warning_threshold_help_text"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="issuednumber",
            name="issued_number_unique_number",
        ),
        migrations.AddField(
            model_name="issuednumber",
            name="unique_in_period",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="sequence",
            name="created_by",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunSQL(
            f"CREATE SEQUENCE {KEY_SEQUENCE} AS bigint", reverse_sql=f"DROP SEQUENCE {KEY_SEQUENCE}"
        ),
        migrations.AddField(
            model_name="sequence",
            name="key",
            field=models.BigIntegerField(
                db_default=numbering.models.sequences.NextKey(), editable=False, unique=True
            ),
        ),
        migrations.AddField(
            model_name="sequence",
            name="modified_by",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="sequence",
            name="period_anchor",
            field=models.DateField(
                blank=True,
                help_text="Custom periods are counted from this date (default: 1 January).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="sequence",
            name="portos_id",
            field=models.CharField(
                default=numbering.models.sequences.new_portos_id, max_length=24, verbose_name="PORTOS id"
            ),
        ),
        migrations.RunSQL(
            # The row updates queue the table's deferred checks; run them now, or the ALTER TABLEs
            # that follow refuse a table with pending trigger events.
            "UPDATE numbering_sequence SET portos_id = substr(md5(random()::text || id::text), 1, 24);"
            "SET CONSTRAINTS ALL IMMEDIATE",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddField(
            model_name="sequence",
            name="reset_from",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="Documents dated before this keep the counter from before the reset rule.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="sequence",
            name="stock_transfer_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("Outcome", "Outcome"),
                    ("Transfer", "Transfer"),
                    ("Correction", "Correction"),
                    ("Invoice", "Invoice"),
                ],
                help_text="The kind of stock transfer this sequence numbers (PORTOS `type`).",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="sequence",
            name="rollover_enabled_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="When fiscal-year rollover was first enabled.",
                null=True,
            ),
        ),
        migrations.RunSQL(
            "UPDATE numbering_sequence SET period_anchor = rollover_enabled_date WHERE reset = 'custom';"
            "UPDATE numbering_sequence SET rollover_enabled_date = NULL WHERE reset <> 'fiscal_year';"
            "SET CONSTRAINTS ALL IMMEDIATE",
            reverse_sql="UPDATE numbering_sequence SET rollover_enabled_date = period_anchor "
            "WHERE reset = 'custom'",
        ),
        migrations.AddConstraint(
            model_name="issuednumber",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unique_in_period", False)),
                fields=("sequence", "number"),
                name="issued_number_unique_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="issuednumber",
            constraint=models.UniqueConstraint(
                condition=models.Q(("unique_in_period", True)),
                fields=("period", "number"),
                name="issued_number_unique_number_in_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="sequence",
            constraint=models.UniqueConstraint(
                fields=("entity", "portos_id"), name="sequence_unique_portos_id"
            ),
        ),
        migrations.AddConstraint(
            model_name="sequence",
            constraint=models.CheckConstraint(
                condition=models.Q(("portos_id__regex", "^[0-9a-f]{24}$")), name="sequence_portos_id_format"
            ),
        ),
        migrations.AddConstraint(
            model_name="sequence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("stock_transfer_type__in", ["", "Outcome", "Transfer", "Correction", "Invoice"])
                ),
                name="sequence_stock_transfer_type_valid",
            ),
        ),
        run_sql_files(__file__),
    ]
