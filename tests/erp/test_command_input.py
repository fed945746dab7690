"""Operators' commands on bad input and bad files: one line (a CommandError), never a traceback.

Django prints a CommandError as one line and exits 1; anything else escaping a command is a traceback.
Each case runs the command in-process and accepts only a CommandError with a one-line message.
"""

import pytest
from django.core.management import CommandError

from erp.models import ApiKey, Entity
from numbering.models import CounterEvent
from tests.helpers import command_output

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # past Python's int-from-text limit (4300 digits)


def refused(*args) -> str:
    """Run a command that must fail; return its one-line message."""
    with pytest.raises(CommandError) as raised:
        command_output(*args)
    message = str(raised.value)
    assert message and "\n" not in message and "Traceback" not in message, message
    return message


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "Acme\x01"],
        ["--name", "Acme\x1b[31m"],
        ["--name", "x" * 201],
        ["--name", " "],
        ["--name", "X", "--code", "x" * 41],
        ["--name", "X", "--currency", "US\x00"],
        ["--name", "X", "--fiscal-year-start", "0"],
        ["--name", "X", "--fiscal-year-start", HUGE],
        ["--name", "X", "--fiscal-year-start", "seven"],
        ["--name", "X", "--vendor-credit-expiry-days", "99999999999999999999"],
        ["--name", "X", "--vendor-credit-expiry-days", "-1"],
    ],
)
def test_create_entity_refuses_bad_arguments_in_one_line(args):
    refused("create_entity", *args)
    assert not Entity.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--entity", "nope", "--scopes", "numbering:read"],
        ["--entity", "\x01", "--scopes", "numbering:read"],
        ["--scopes", "not:a:scope"],
        ["--scopes", ""],
        ["--scopes", "numbering:read", "--name", "x" * 101],
        ["--scopes", "numbering:read", "--name", "key\x07"],
    ],
)
def test_create_api_key_refuses_bad_arguments_in_one_line(entity, args):
    if "--entity" not in args:
        args = ["--entity", entity.code, *args]
    refused("create_api_key", *args)
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("key_id", ["", "nope", "00000000-0000-0000-0000-000000000000", "\x00", HUGE])
def test_revoke_api_key_refuses_an_unknown_key_in_one_line(key_id):
    refused("revoke_api_key", key_id)


@pytest.mark.parametrize("hours", ["1", "-5", HUGE, "ten"])
def test_purge_refuses_a_bad_window_in_one_line(hours):
    refused("purge_idempotency_keys", "--older-than-hours", hours)


@pytest.mark.parametrize(
    "as_of",
    ["yesterday", "9999-12-31", "0001-01-01", "2026-01-01T00:00:00+25:00", "2026-13-01", "\x00"],
)
def test_expire_vendor_credits_refuses_a_bad_moment_in_one_line(as_of):
    refused("expire_vendor_credits", "--as-of", as_of)


def test_expire_vendor_credits_takes_an_offset_postgresql_would_refuse():
    # Python accepts offsets up to ±24 h, PostgreSQL ±15:59: the moment is passed on in UTC.
    assert "Expired 0" in command_output("expire_vendor_credits", "--as-of", "2026-01-01T00:00:00+23:59")


def test_expire_vendor_credits_refuses_an_unknown_entity_in_one_line():
    refused("expire_vendor_credits", "--entity", "nope")


@pytest.mark.parametrize("args", [["--entity", "nope"], ["--sequence", "nope"], ["--sequence", "x" * 10_000]])
def test_audit_numbering_refuses_unknown_names_in_one_line(args):
    refused("audit_numbering", *args)


def _csv(tmp_path, content: bytes):
    path = tmp_path / "counters.csv"
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe\x00\x01binary\x00\x00",
        b"counter_type,advance_to\ninvoice,\xe9t\xe9\n",  # Latin-1, not UTF-8
        b"counter_type,advance_to\ninvoice,5\x00\n",
        b"counter_type,advance_to\ninv\x1boice,5\n",
        b"counter_type,advance_to,prefix\ninvoice,5,IN\x07V\n",
        b"counter_type\ninvoice\n",
        b"counter_type,advance_to\n",
        b'counter_type,advance_to\n"invoice,5\n',
        b"counter_type,advance_to\n" + b"invoice,5\n" * 1001,
    ],
    ids=[
        "empty",
        "binary",
        "latin1",
        "nul",
        "escape",
        "bell_in_prefix",
        "no_advance_to",
        "no_rows",
        "open_quote",
        "too_many_rows",
    ],
)
def test_advance_counters_refuses_a_bad_file_in_one_line(entity, tmp_path, content):
    refused("advance_counters", "--entity", entity.code, "--file", _csv(tmp_path, content))
    assert not CounterEvent.objects.filter(entity=entity).exists()


@pytest.mark.parametrize(
    "row",
    [
        f"invoice,{HUGE}",
        "invoice,²",
        "invoice,99999999999999999999999",
        "invoice,9223372036854775807",
        "invoice,-3",
        "nonsense,5",
    ],
)
def test_advance_counters_reports_a_bad_row_in_one_line(entity, tmp_path, row):
    path = _csv(tmp_path, f"counter_type,advance_to\n{row}\n".encode())
    refused("advance_counters", "--entity", entity.code, "--file", path)
    assert not CounterEvent.objects.filter(entity=entity).exists()


@pytest.mark.parametrize("where", ["missing", "directory"])
def test_advance_counters_refuses_a_missing_file_or_a_directory_in_one_line(entity, tmp_path, where):
    path = tmp_path / "nothing.csv" if where == "missing" else tmp_path
    refused("advance_counters", "--entity", entity.code, "--file", str(path))


def test_advance_counters_refuses_an_unknown_entity_in_one_line(tmp_path):
    refused("advance_counters", "--entity", "nope", "--file", _csv(tmp_path, b"counter_type,advance_to\n"))
