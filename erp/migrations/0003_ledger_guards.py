"""Ledger guards: balanced and numbered at commit (deferred triggers), posted entries immutable."""

from pathlib import Path

from django.db import migrations

HERE = Path(__file__).resolve().parent


class Migration(migrations.Migration):
    dependencies = [("erp", "0002_ledger")]

    operations = [
        migrations.RunSQL(
            sql=(HERE / "0003_ledger_guards.sql").read_text(),
            reverse_sql=(HERE / "0003_ledger_guards_reverse.sql").read_text(),
        )
    ]
