"""The two database roles: which connection runs owner-only commands, and the rows the application may touch.

The application's role reads and writes rows and nothing else: no TRUNCATE, no DDL, no trigger or
replication-role changes (docs/audit.md, "Least privilege"). The owner's role owns the tables and runs
migrate and flush. migrate grants the application its rights on every table, now and later.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_ALIAS = "owner"
_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


@contextmanager
def running_as_owner(alias: str) -> Iterator[None]:
    """Reconnect `alias` with the owner role's credentials for the block, then back to its own.

    Only the application's alias ("default") is switched, and only when an owner is configured
    (MIGRATION_DATABASE_URL, or the embedded server) under another name; the database stays the
    one `alias` names, so a test database is migrated and flushed, never the real one.
    """
    if alias != DEFAULT_DB_ALIAS or OWNER_ALIAS not in connections.settings:
        yield
        return
    connection = connections[alias]
    owner = connections.settings[OWNER_ALIAS]
    if connection.settings_dict.get("USER") == owner.get("USER"):
        yield
        return
    if connection.in_atomic_block:
        raise CommandError("This command runs as the owner role and cannot join a transaction in progress.")
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in _CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


# Rows only: SELECT, INSERT, UPDATE, DELETE on tables (append-only tables refuse UPDATE and DELETE
# by trigger) and the sequences behind identity columns. Default privileges give the same on every
# table the owner creates later; CREATE on the schema and TEMPORARY on the database stay refused.
_GRANTS = """
REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;
REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC;
GRANT CONNECT ON DATABASE {database} TO {role};
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role};
"""


def application_rows_grant(*, alias: str) -> bool:
    """Grant the application's role its rights on the rows of the database behind `alias`.

    Returns False (and grants nothing) when `alias` connects as that very role: one role for
    everything, as a deployment without MIGRATION_DATABASE_URL has.
    """
    role = settings.DATABASE_APPLICATION_ROLE
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema(), current_database()")
        current_user, schema, database = cursor.fetchone()
        if not role or role == current_user:
            return False
        quote = connection.ops.quote_name
        cursor.execute(_GRANTS.format(schema=quote(schema), database=quote(database), role=quote(role)))
    return True
