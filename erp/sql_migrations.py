"""Database guards written as SQL files beside their migration."""

from pathlib import Path

from django.db import migrations


def run_sql_files(migration_file: str) -> migrations.RunSQL:
    """Return a RunSQL applying `<migration>.sql`, reversed by `<migration>_reverse.sql` beside it."""
    path = Path(migration_file).resolve()
    return migrations.RunSQL(
        sql=path.with_suffix(".sql").read_text(),
        reverse_sql=path.with_name(f"{path.stem}_reverse.sql").read_text(),
    )
