"""The health check of a reused connection (erp/postgresql/base.py): a round trip only when needed."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def other():
    """A second connection to the test database, as a server process's persistent connection is."""
    wrapper = connection.copy()
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _last_statement(pid: int) -> str:
    """Return what the backend `pid` ran last, as the server saw it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view, inside the test's transaction
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0]


def _next_request(wrapper) -> None:
    """Do what Django does between two requests, then what the next one does before its first statement."""
    wrapper.close_if_unusable_or_obsolete()
    wrapper.close_if_health_check_failed()


def _until_readable(wrapper) -> None:
    deadline = time.monotonic() + 10
    while not select.select([wrapper.connection.pgconn.socket], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server's message never arrived"


def test_the_backend_is_folios():
    assert type(connections["default"]).__module__ == "erp.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_idle_connection_is_kept_without_a_statement(other):
    pid = _pid(other)
    with other.cursor() as cursor:
        cursor.execute("SELECT 'the last request'")
    _next_request(other)
    assert other.health_check_done
    assert _last_statement(pid) == "SELECT 'the last request'"  # the check itself sent nothing
    assert other.connection is not None and _pid(other) == pid


def test_a_connection_the_server_closed_is_replaced_before_the_request_uses_it(other):
    pid = _pid(other)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)
    _until_readable(other)  # the server's FATAL message, then the end of the stream
    _next_request(other)
    assert other.connection is None  # closed by the check, not by a failing request
    assert _pid(other) != pid  # the request's first statement reconnects


def test_a_message_that_is_not_fatal_falls_back_to_djangos_check_and_keeps_the_connection(other):
    pid = _pid(other)
    with other.cursor() as cursor:
        cursor.execute("LISTEN folio_health_check_test")
    sender = connection.copy()
    try:
        with sender.cursor() as cursor:  # autocommit: the notification leaves at once
            cursor.execute("SELECT pg_notify('folio_health_check_test', '')")
    finally:
        sender.close()
    _until_readable(other)
    _next_request(other)
    assert _last_statement(pid) == "SELECT 1"  # Django's own check read the message
    assert other.connection is not None and _pid(other) == pid
