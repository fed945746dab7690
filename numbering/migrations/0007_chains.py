"""Hash chains over each sequence's issued numbers, voids and counter events (docs/audit.md)."""

from django.db import migrations, models

from erp.sql_migrations import run_sql_files


def chain_fields(prefix: str = "") -> list[tuple[str, models.Field]]:
    """The position and hash columns of one link."""
    return [
        (f"{prefix}chain_position", models.BigIntegerField(editable=False, null=True)),
        (f"{prefix}chain_hash", models.CharField(editable=False, max_length=64, null=True)),
    ]


class Migration(migrations.Migration):
    dependencies = [("numbering", "0006_number_bound_to_document")]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("chain_id", models.CharField(max_length=80, primary_key=True, serialize=False)),
                ("position", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(position__gte=1), name="chain_head_position")
                ]
            },
        ),
        *[
            migrations.AddField(model_name="issuednumber", name=name, field=field)
            for name, field in chain_fields() + chain_fields("void_")
        ],
        *[
            migrations.AddField(model_name="counterevent", name=name, field=field)
            for name, field in chain_fields()
        ],
        run_sql_files(__file__),
    ]
