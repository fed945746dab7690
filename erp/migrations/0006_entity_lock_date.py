"""An entity's lock date (closed periods), the permission to set it, and the accounting:write scope."""

from django.db import migrations, models

# The scopes as of this migration (a later scope changes the constraint in its own migration).
SCOPES = [
    "accounting:read",
    "accounting:write",
    "accounts:read",
    "accounts:write",
    "migration:write",
    "numbering:read",
    "numbering:write",
    "payments:read",
    "payments:write",
    "purchasing:read",
    "purchasing:write",
]


def _accounting_write_removed(apps, schema_editor):
    schema_editor.execute(
        "UPDATE erp_apikey SET scopes = array_remove(scopes, 'accounting:write') "
        "WHERE 'accounting:write' = ANY(scopes)"
    )


class Migration(migrations.Migration):
    dependencies = [("erp", "0005_api_key_revoked_by")]

    operations = [
        migrations.AddField(
            model_name="entity",
            name="lock_date",
            field=models.DateField(
                blank=True,
                help_text="Books closed through this date; empty means no period is closed.",
                null=True,
            ),
        ),
        migrations.AlterModelOptions(
            name="entity",
            options={
                "ordering": ["name"],
                "permissions": [("set_lock_date", "Can set the lock date (close periods)")],
                "verbose_name_plural": "entities",
            },
        ),
        migrations.RemoveConstraint(model_name="apikey", name="api_key_known_scopes"),
        # Going back: keys lose the scope the older constraint does not know (forward: nothing to do).
        migrations.RunPython(migrations.RunPython.noop, reverse_code=_accounting_write_removed),
        migrations.AddConstraint(
            model_name="apikey",
            constraint=models.CheckConstraint(
                condition=models.Q(("scopes__contained_by", SCOPES)), name="api_key_known_scopes"
            ),
        ),
    ]
