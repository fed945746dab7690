"""A chain's writers lock its head row; every sequence has one from its creation (docs/audit.md)."""

from django.db import migrations, models

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("numbering", "0008_chain_links_binary")]

    operations = [
        migrations.RemoveConstraint(model_name="chainhead", name="chain_head_position"),
        migrations.AddConstraint(
            model_name="chainhead",
            constraint=models.CheckConstraint(
                condition=models.Q(position__gte=0), name="chain_head_position"
            ),
        ),
        run_sql_files(__file__),
    ]
