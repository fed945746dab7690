"""The activity chain's heads are moved only by the commit-time link (docs/activity.md)."""

from django.db import migrations

from erp.sql_migrations import run_sql_files


class Migration(migrations.Migration):
    dependencies = [("erp", "0013_idempotency_claim")]

    operations = [run_sql_files(__file__)]
