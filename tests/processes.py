"""Worker processes for the suites that need real separate connections and transactions.

Used by tests/numbering/test_concurrency.py and tests/system/test_faults.py, with the `db_name`
fixture of the root conftest.py. Children are forked after the parent closed its connection, so
each opens its own to the test database (whose name the parent passes on). The parent decides
when things happen by watching pg_stat_activity, never by sleeping and hoping: every wait is a
bounded poll for a fact, and fails saying what it waited for. A worker that dies without reporting
fails the wait at once (not after the bound), and workers a failed test leaves behind are killed with
their server backends, so the next test's flush never waits behind their locks.
"""

import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

FORK = multiprocessing.get_context("fork")
# Seconds: a generous bound on each step, never a timing assumption (FOLIO_TEST_WAIT on a very slow machine).
WAIT = int(os.environ.get("FOLIO_TEST_WAIT", "120"))


def connect_child(db_name: str, lock_timeout_ms: int | None = None) -> int:
    """Point a forked child at the test database on a connection of its own; return its backend pid."""
    connections["default"].settings_dict["NAME"] = db_name
    if lock_timeout_ms is not None:
        settings.NUMBERING_LOCK_TIMEOUT_MS = lock_timeout_ms
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _run_child(results, work: Callable, args: tuple) -> None:
    try:
        results.put(("ok", work(*args)))
    except BaseException:
        results.put(("error", traceback.format_exc()))
    finally:
        connections.close_all()


STARTED: list = []  # every child forked by start(), for kill_leftovers()


def start(work: Callable, *args):
    """Fork a child running work(*args); return (process, results queue).

    The parent's connection is closed first, so the child never inherits its socket; the parent
    reconnects on its next query.
    """
    assert not connection.in_atomic_block, "fork outside a transaction: the child would share it"
    connection.close()
    results = FORK.Queue()
    # Daemonic as a last resort: a child left behind ends with the test run at the latest.
    process = FORK.Process(target=_run_child, args=(results, work, args), daemon=True)
    process.start()
    STARTED.append(process)
    return process, results


def kill_leftovers() -> None:
    """Kill every child still running (a failed test's), then end the server backends they leave.

    A killed child's backend ends by itself only when it next reads from the socket: one blocked in a
    lock wait would hold its table locks until its lock_timeout, and the next test's flush behind them.
    """
    killed = False
    while STARTED:
        process = STARTED.pop()
        if process.is_alive():
            process.kill()
            process.join(WAIT)
            killed = True
    if killed:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        connection.close()


def receive(messages, process, what: str):
    """Return the next message a child puts on `messages`; fail at once if the child dies first."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            return messages.get(timeout=0.1)
        except queue.Empty:
            pass
        if not process.is_alive():
            try:  # it may have put the message just before ending
                return messages.get(timeout=1)
            except queue.Empty:
                ended = f"the worker ended (exit code {process.exitcode}) first"
                raise AssertionError(f"{what}: {ended}") from None
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: nothing within {WAIT} s (the worker is still running)")


def outcome(process, results):
    """Return what a child's work returned (its traceback fails the test)."""
    status, value = receive(results, process, "the worker's outcome")
    process.join(WAIT)
    assert status == "ok", value
    return value


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition` until it holds, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {WAIT} s waiting until {what}")
        time.sleep(0.01)


def backend_state(pid: int) -> tuple[str, str | None] | None:
    """Return (state, wait_event_type) of a server backend, or None once it is gone."""
    with connection.cursor() as cursor:
        # Statistics views are a snapshot held for the rest of a transaction: take a fresh one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT state, wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()


def waits_for_a_lock(pid: int) -> bool:
    """Return whether the backend `pid` is blocked waiting for a lock."""
    state = backend_state(pid)
    return state is not None and state[1] == "Lock"


def blocked_by(pid: int) -> list[int]:
    """Return the backends waiting for a lock that the backend `pid` holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
        return [row[0] for row in cursor.fetchall()]


LOCK_NOT_AVAILABLE = "55P03"


def locked_by_another_transaction(model, ids) -> bool:
    """Return whether rows `ids` of `model` are row-locked by another transaction (NOWAIT fails)."""
    try:
        with transaction.atomic():
            list(model.objects.filter(pk__in=ids).select_for_update(nowait=True))
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return True
        raise
    return False


def tables_written_by(pid: int) -> set[str]:
    """Return the tables the backend `pid` has inserted into, updated or deleted from in its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = %s AND l.mode = 'RowExclusiveLock' AND l.granted AND c.relkind = 'r'",
            [pid],
        )
        return {row[0] for row in cursor.fetchall()}
