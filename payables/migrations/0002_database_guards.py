"""Database guards: cross-row sums checked at commit, numbered documents, append-only history."""

from pathlib import Path

from django.db import migrations

HERE = Path(__file__).resolve().parent


class Migration(migrations.Migration):
    dependencies = [("payables", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=(HERE / "0002_database_guards.sql").read_text(),
            reverse_sql=(HERE / "0002_database_guards_reverse.sql").read_text(),
        )
    ]
