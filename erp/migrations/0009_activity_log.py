"""The activity log (erp/models/activity.py), its append-only and chain triggers, and the audit:read scope."""

import uuid

import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models

from erp.sql_migrations import run_sql_files

# The scopes as of this migration (a later scope changes the constraint in its own migration).
SCOPES = [
    "accounting:read",
    "accounting:write",
    "accounts:read",
    "accounts:write",
    "audit:read",
    "migration:write",
    "numbering:read",
    "numbering:write",
    "payments:read",
    "payments:write",
    "purchasing:read",
    "purchasing:write",
]


class Migration(migrations.Migration):
    dependencies = [("erp", "0008_test_books_and_memberships")]

    operations = [
        migrations.CreateModel(
            name="Activity",
            fields=[
                (
                    "id",
                    models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False),
                ),
                (
                    "entity",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="erp.entity",
                    ),
                ),
                ("occurred_at", models.DateTimeField()),
                (
                    "actor_type",
                    models.CharField(
                        choices=[("user", "User"), ("api_key", "Api Key"), ("command", "Command")],
                        max_length=10,
                    ),
                ),
                ("actor_id", models.CharField(max_length=150)),
                ("actor_name", models.CharField(max_length=150)),
                (
                    "channel",
                    models.CharField(
                        choices=[("api", "Api"), ("admin", "Admin"), ("command", "Command")], max_length=10
                    ),
                ),
                ("action", models.CharField(max_length=80)),
                ("object_type", models.CharField(max_length=40)),
                ("object_id", models.CharField(max_length=64)),
                ("request_id", models.CharField(blank=True, max_length=150)),
                ("reason", models.TextField(blank=True)),
                (
                    "changes",
                    models.JSONField(default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
                ("seq", models.BigIntegerField(editable=False, null=True)),
                ("chain_hash", models.CharField(editable=False, max_length=64, null=True)),
            ],
            options={
                "verbose_name": "activity",
                "verbose_name_plural": "activity log",
                "db_table": "erp_activity",
                "ordering": ["-occurred_at", "-id"],
                "indexes": [
                    models.Index(fields=["entity", "-occurred_at", "-id"], name="activity_entity_time"),
                    models.Index(fields=["entity", "object_type", "object_id"], name="activity_object"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("seq__isnull", False)),
                        fields=("entity", "seq"),
                        name="activity_chain_position",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("action__regex", "^[a-z_]+\\.[a-z_]+$")),
                        name="activity_action_form",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("actor_type__in", ["user", "api_key", "command"])),
                        name="activity_actor_type_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("channel__in", ["api", "admin", "command"])),
                        name="activity_channel_known",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("seq__isnull", True), ("chain_hash__isnull", True)),
                            models.Q(("seq__gte", 1), ("chain_hash__regex", "^[0-9a-f]{64}$")),
                            _connector="OR",
                        ),
                        name="activity_chain_fields_together",
                    ),
                ],
            },
        ),
        migrations.RemoveConstraint(model_name="apikey", name="api_key_known_scopes"),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(("scopes__contained_by", SCOPES)), name="api_key_known_scopes"
            ),
        ),
        # Migrating back: keys lose the scope before the constraint without it returns.
        migrations.RunSQL(
            sql=migrations.RunSQL.noop,
            reverse_sql="UPDATE erp_apikey SET scopes = array_remove(scopes, 'audit:read')"
            " WHERE 'audit:read' = ANY (scopes)",
        ),
        run_sql_files(__file__),
    ]
