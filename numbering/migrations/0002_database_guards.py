"""Database guards: a counter that only grows, an append-only issuance ledger, alpha rendering in SQL."""

from pathlib import Path

from django.db import migrations

HERE = Path(__file__).resolve().parent


class Migration(migrations.Migration):
    dependencies = [("numbering", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(HERE / "0002_database_guards.sql").read_text(),
            reverse_sql=(HERE / "0002_database_guards_reverse.sql").read_text(),
        )
    ]
