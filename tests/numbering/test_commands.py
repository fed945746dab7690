"""Operators' commands: audit_numbering and advance_counters, exit codes and --json."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from numbering.models import NumberingPeriod, Sequence
from numbering.services import sequence_issue_block
from tests.helpers import command_output
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db


def test_audit_numbering_prints_a_clean_report(entity):
    sequence = SequenceFactory(entity=entity, name="Receipts")
    sequence_issue_block(sequence=sequence, count=3)
    text = command_output("audit_numbering", "--entity", entity.code, "--sequence", "Receipts")
    assert "Receipts" in text and "all: 1..3" in text and text.rstrip().endswith("OK")


def test_audit_numbering_json_lists_every_sequence(entity):
    sequence_issue_block(sequence=SequenceFactory(entity=entity), count=2)
    payload = json.loads(command_output("audit_numbering", "--entity", str(entity.pk), "--json"))
    assert payload["ok"] is True
    assert len(payload["sequences"]) == 6
    assert {"entity", "name", "sequence_id", "ok", "periods"} <= set(payload["sequences"][0])


def test_audit_numbering_exits_non_zero_on_a_gap(entity):
    sequence = SequenceFactory(entity=entity)
    sequence_issue_block(sequence=sequence, count=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE numbering_numberingperiod SET last_value = last_value + 2 WHERE sequence_id = %s",
            [sequence.pk],
        )
    with pytest.raises(CommandError) as raised:
        command_output("audit_numbering", "--sequence", str(sequence.pk), "--json")
    assert raised.value.returncode == 1


def test_audit_numbering_rejects_an_unknown_sequence(entity):
    with pytest.raises(CommandError, match="sequence_not_found"):
        command_output("audit_numbering", "--entity", entity.code, "--sequence", "Nope")


def test_audit_numbering_asks_for_an_entity_when_a_name_is_ambiguous(entity, other_entity):
    with pytest.raises(CommandError, match="sequence_ambiguous"):
        command_output("audit_numbering", "--sequence", "Invoice")


def write_csv(tmp_path, text):
    path = tmp_path / "counters.csv"
    path.write_text(text)
    return str(path)


def test_advance_counters_applies_each_row(entity, tmp_path):
    path = write_csv(
        tmp_path,
        "counter_type,advance_to,prefix,padding\ninvoice,342665,,\nrma,41,RMA-,5\n",
    )
    payload = json.loads(
        command_output("advance_counters", "--entity", entity.code, "--file", path, "--json")
    )
    assert (payload["succeeded"], payload["failed"], payload["dry_run"]) == (2, 0, False)
    assert [r["next_issued_preview"] for r in payload["results"]] == ["INV0342666", "RMA-00042"]
    assert Sequence.objects.filter(entity=entity, counter_type="rma").exists()


def test_advance_counters_dry_run_changes_nothing(entity, tmp_path):
    path = write_csv(tmp_path, "counter_type,advance_to,prefix\ninvoice,500,\nrma,3,R\n")
    text = command_output("advance_counters", "--entity", entity.code, "--file", path, "--dry-run")
    assert "invoice: 0 -> 500" in text and "Dry run" in text
    assert not NumberingPeriod.objects.filter(sequence__entity=entity).exists()
    assert not Sequence.objects.filter(entity=entity, counter_type="rma").exists()


def test_advance_counters_exits_non_zero_when_a_row_fails_but_keeps_the_others(entity, tmp_path):
    path = write_csv(tmp_path, "counter_type,advance_to\ninvoice,10\nwidget,5\n")
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("advance_counters", "--entity", entity.code, "--file", path, stdout=out)
    assert "widget: FAILED" in out.getvalue()
    assert "(counter_type) [invalid_counter_type]" in out.getvalue()
    assert (
        NumberingPeriod.objects.get(sequence__entity=entity, sequence__counter_type="invoice").last_value
        == 10
    )


@pytest.mark.parametrize(
    "text, message",
    [("type,to\ninvoice,5\n", "missing column"), ("counter_type,advance_to\n", "no counter rows")],
)
def test_advance_counters_rejects_a_malformed_file(entity, tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        command_output("advance_counters", "--entity", entity.code, "--file", write_csv(tmp_path, text))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfecounter_type,advance_to\n", "not UTF-8 text"),
        (
            b"counter_type,advance_to\n" + b"x" * 200_000 + b",5\n",
            "not a readable CSV file",
        ),  # a cell too large
    ],
)
def test_advance_counters_refuses_a_file_that_is_not_csv_text_in_one_line(entity, tmp_path, content, message):
    path = tmp_path / "counters.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        command_output("advance_counters", "--entity", entity.code, "--file", str(path))


def test_advance_counters_reports_a_missing_file_and_entity(entity, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        command_output("advance_counters", "--entity", entity.code, "--file", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="entity_not_found"):
        command_output(
            "advance_counters", "--entity", "no-such-entity", "--file", str(tmp_path / "absent.csv")
        )
