"""Test mode (an entity's test books) and per-entity admin access (memberships with a role)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0007_rate_limit_buckets"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="entity",
            name="code",
            field=models.SlugField(help_text="Short slug, e.g. acme-us.", max_length=45, unique=True),
        ),
        migrations.AddField(
            model_name="entity",
            name="livemode",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name="entity",
            name="live_entity",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="test_books",
                to="erp.entity",
            ),
        ),
        migrations.AddConstraint(
            model_name="entity",
            constraint=models.CheckConstraint(
                condition=models.Q(("live_entity__isnull", True), ("livemode", True))
                | models.Q(("live_entity__isnull", False), ("livemode", False)),
                name="entity_test_books_name_their_live_entity",
            ),
        ),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(("livemode", True), ("prefix__startswith", "ark_live_ent_"))
                | models.Q(("livemode", False), ("prefix__startswith", "ark_test_ent_")),
                name="api_key_prefix_tells_mode",
            ),
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("viewer", "Viewer (reads)"),
                            ("accountant", "Accountant (reads and writes the books)"),
                            ("admin", "Admin (also API keys and the entity's settings)"),
                        ],
                        default="viewer",
                        max_length=20,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("granted_by", models.CharField(blank=True, default="", editable=False, max_length=150)),
                (
                    "entity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="erp.entity",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["entity__name", "user__username"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "entity"), name="membership_unique_user_entity"),
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ["viewer", "accountant", "admin"])),
                        name="membership_known_role",
                    ),
                ],
            },
        ),
        run_sql_files(__file__),
    ]
