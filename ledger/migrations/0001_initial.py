"""The ledger's models, moved here from erp: state only, the tables keep their erp_ names.

The tables, their constraints and the double-entry triggers were created by erp 0002 and 0003 and
are not touched. Content types follow the models, so permissions granted on them stay granted.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["account", "journalentry", "journalline"]


def move_content_types(apps, schema_editor):
    _move_content_types(apps, from_app="erp", to_app="ledger")


def restore_content_types(apps, schema_editor):
    _move_content_types(apps, from_app="ledger", to_app="erp")


def _move_content_types(apps, *, from_app: str, to_app: str) -> None:
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    for model in MOVED:
        moving = content_type_model.objects.filter(app_label=from_app, model=model).first()
        if moving is None:
            continue
        stale = content_type_model.objects.filter(app_label=to_app, model=model).first()
        if stale is not None:
            # Created after a partial migration, while the other app held the model: its permissions
            # and their grants join the moving content type before it goes, so nothing granted is lost.
            for permission in permission_model.objects.filter(content_type=stale):
                kept = permission_model.objects.filter(
                    content_type=moving, codename=permission.codename
                ).first()
                if kept is None:
                    permission.content_type = moving
                    permission.save(update_fields=["content_type"])
                else:
                    kept.group_set.add(*permission.group_set.all())
                    kept.user_set.add(*permission.user_set.all())
            stale.delete()
        moving.app_label = to_app
        moving.save(update_fields=["app_label"])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("erp", "0003_ledger_guards"),
    ]
    run_before = [("erp", "0004_ledger_moved_out")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Account",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("code", models.SlugField(max_length=40)),
                        ("name", models.CharField(max_length=200)),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("asset", "Asset"),
                                    ("liability", "Liability"),
                                    ("equity", "Equity"),
                                    ("income", "Income"),
                                    ("expense", "Expense"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "entity",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="accounts",
                                to="erp.entity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "erp_account",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="JournalEntry",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("number", models.CharField(blank=True, editable=False, max_length=64)),
                        ("date", models.DateField()),
                        ("memo", models.CharField(blank=True, max_length=500)),
                        (
                            "source_type",
                            models.CharField(
                                blank=True, help_text="The document that posted it.", max_length=40
                            ),
                        ),
                        ("source_id", models.CharField(blank=True, max_length=64)),
                        ("posted_at", models.DateTimeField()),
                        ("posted_by", models.CharField(blank=True, max_length=100)),
                        (
                            "entity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="journal_entries",
                                to="erp.entity",
                            ),
                        ),
                        (
                            "reversal_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="reversals",
                                to="ledger.journalentry",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "journal entries",
                        "db_table": "erp_journalentry",
                        "ordering": ["-posted_at"],
                    },
                ),
                migrations.CreateModel(
                    name="JournalLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("debit", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        ("credit", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="lines",
                                to="ledger.account",
                            ),
                        ),
                        (
                            "entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="lines",
                                to="ledger.journalentry",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "erp_journalline",
                        "ordering": ["id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="account",
                    constraint=models.UniqueConstraint(fields=("entity", "code"), name="account_unique_code"),
                ),
                migrations.AddConstraint(
                    model_name="account",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("type__in", ["asset", "liability", "equity", "income", "expense"])
                        ),
                        name="account_known_type",
                    ),
                ),
                migrations.AddIndex(
                    model_name="journalentry",
                    index=models.Index(
                        fields=["entity", "source_type", "source_id"], name="journal_entry_source"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="journalentry",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("number", ""), _negated=True),
                        fields=("entity", "number"),
                        name="journal_entry_unique_number",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="journalentry",
                    constraint=models.UniqueConstraint(
                        fields=("reversal_of",), name="journal_entry_reversed_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="journalentry",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("reversal_of__isnull", True),
                            models.Q(("reversal_of", models.F("id")), _negated=True),
                            _connector="OR",
                        ),
                        name="journal_entry_not_own_reversal",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="journalline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("debit__gt", 0), ("credit", 0)),
                            models.Q(("credit__gt", 0), ("debit", 0)),
                            _connector="OR",
                        ),
                        name="journal_line_one_side",
                        violation_error_message="A journal line is either a debit or a credit, and positive.",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
