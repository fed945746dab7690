"""The database roles in tests: the application's (every test), the owner's and the server superuser's.

Every test connects as the application's role, which may only read and write rows (erp/db_roles.py).
A test that needs more opens its own connection here: the owner's (DDL, TRUNCATE) or the superuser's
(an attacker who switches the guards off). They are separate connections, so they see only what the
test committed: such tests run with ``django_db(transaction=True)``.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections

from erp.db_roles import OWNER_ALIAS, running_as_owner
from erp.localdb import SUPERUSER

_CREDENTIALS: dict[str, tuple[str, str]] = {}


def connect_default_as(alias: str) -> None:
    """Point the default connection at the credentials `alias` was configured with, reconnecting."""
    if OWNER_ALIAS not in connections.settings:
        return  # one role for everything (DATABASE_URL without MIGRATION_DATABASE_URL)
    if not _CREDENTIALS:  # before the first swap: as erp/settings.py configured them
        for name in (DEFAULT_DB_ALIAS, OWNER_ALIAS):
            _CREDENTIALS[name] = (connections.settings[name]["USER"], connections.settings[name]["PASSWORD"])
    default = connections[DEFAULT_DB_ALIAS]
    default.close()
    default.settings_dict["USER"], default.settings_dict["PASSWORD"] = _CREDENTIALS[alias]


def as_owner():
    """Reconnect the test connection as the owner role for a block (transaction=True tests only)."""
    return running_as_owner(DEFAULT_DB_ALIAS)


@contextmanager
def as_superuser() -> Iterator[None]:
    """Reconnect the test connection as the server's superuser for a block (transaction=True tests only)."""
    default = connections[DEFAULT_DB_ALIAS]
    assert not default.in_atomic_block, "the superuser's connection cannot join the test's transaction"
    saved = default.settings_dict["USER"], default.settings_dict["PASSWORD"]
    default.close()
    default.settings_dict["USER"], default.settings_dict["PASSWORD"] = _superuser_credentials()
    try:
        yield
    finally:
        default.close()
        default.settings_dict["USER"], default.settings_dict["PASSWORD"] = saved


def _superuser_credentials() -> tuple[str, str]:
    # FOLIO_TEST_SUPERUSER / FOLIO_TEST_SUPERUSER_PASSWORD name it on a server of your own; the
    # embedded server's is `postgres`.
    return os.environ.get("FOLIO_TEST_SUPERUSER", SUPERUSER), os.environ.get(
        "FOLIO_TEST_SUPERUSER_PASSWORD", ""
    )


def _conninfo(user: str, password: str = "") -> str:
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=user,
        password=password or None,
    )


def application_conninfo() -> str:
    """Return a libpq connection string of the test database as the application's role."""
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    return _conninfo(db["USER"], db["PASSWORD"])


def owner_conninfo() -> str:
    """Return a libpq connection string of the test database as the owner role."""
    owner = connections.settings.get(OWNER_ALIAS) or connections[DEFAULT_DB_ALIAS].settings_dict
    return _conninfo(owner["USER"], owner["PASSWORD"])


def superuser_conninfo() -> str:
    """Return a libpq connection string of the test database as the server's superuser."""
    return _conninfo(*_superuser_credentials())


@contextmanager
def connected(conninfo: str) -> Iterator[psycopg.Connection]:
    """Open an autocommit psycopg connection (each statement commits alone)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        yield conn


def superuser_sql(statement: str, params=()) -> list[tuple]:
    """Run statements as the superuser, with every trigger off (session_replication_role = replica).

    What an attacker holding the superuser can do: rewrite rows around every guard. Returns the
    last statement's rows (or []).
    """
    with connected(superuser_conninfo()) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def owner_sql(statement: str, params=()) -> list[tuple]:
    """Run one statement as the owner role (committed); return its rows (or [])."""
    with connected(owner_conninfo()) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []
