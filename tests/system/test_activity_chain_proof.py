"""The activity log is a chain of the ledger proof: verified, signed, exported like the rest (docs/audit.md).

An attacker holding the database superuser rewrites activity rows around every guard; verify_ledger, the
API, sign_ledger and the offline verifier each catch it and name the row.
"""

import contextlib
import hashlib
import json
import subprocess
import sys
import uuid
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from erp.models import Activity
from ledger.models import LedgerCheckpoint
from ledger.proof.records import activity_chain
from ledger.proof.verification import ledger_verify
from numbering.models import IssuedNumber
from numbering.services import sequence_issue_next
from receivables.services import customer_create
from tests.db_roles import superuser_sql
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the superuser's connection sees committed rows only

VERIFY_EXPORT = settings.BASE_DIR / "tools" / "verify_export.py"


@pytest.fixture
def log(entity):
    """Three committed writes of the entity (each one activity row), then its chains signed."""
    for name in ("One", "Two", "Three"):
        customer_create(entity=entity, name=name)
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    rows = list(Activity.objects.filter(entity=entity).order_by("seq"))
    assert len(rows) >= 3 and all(row.seq for row in rows)
    return rows


def breaks(entity) -> list[tuple]:
    """Run verify_ledger --json; return its breaks as (chain, record type, record id, reason)."""
    out = StringIO()
    with contextlib.suppress(CommandError):  # it exits 1 on a break, after printing the report
        call_command("verify_ledger", "--entity", entity.code, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is (not report["breaks"])
    return [(b["chain"], b["record_type"], b["record_id"], b["reason"]) for b in report["breaks"]]


def forged_hash(previous: str, fields) -> str:
    """The activity log's link, written out again (docs/activity.md): previous hash as hex text."""
    text = "".join(f"{len(value.encode())}:{value}," for value in fields)
    return hashlib.sha256((previous + text).encode()).hexdigest()


def test_the_activity_chain_is_verified_counted_and_signed(entity, log):
    report = ledger_verify(entity=entity)
    journal_and_sequences = report["checked"] - len(log)
    assert report["ok"] and journal_and_sequences >= 0
    head = LedgerCheckpoint.objects.get(chain_id=f"activity:{entity.pk}")
    assert (head.position, head.record_type, head.record_id, head.chain_hash) == (
        log[-1].seq,
        "activity",
        str(log[-1].pk),
        log[-1].chain_hash,
    )
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    assert LedgerCheckpoint.objects.filter(chain_id=f"activity:{entity.pk}").count() == 1  # idempotent
    customer_create(entity=entity, name="Four")
    out = StringIO()
    call_command("sign_ledger", "--entity", entity.code, "--json", stdout=out)
    assert [c["chain"] for c in json.loads(out.getvalue())["signed"]] == [f"activity:{entity.pk}"]
    assert ledger_verify(entity=entity)["checked"] == journal_and_sequences + len(log) + 1


def test_a_rewritten_activity_row_is_named_by_verify_ledger_and_the_api(entity, log, make_client):
    api = make_client(entity, scopes=["audit:read"])
    assert api.get("/v1/ledger/verification").json()["ok"] is True
    superuser_sql("UPDATE erp_activity SET reason = 'nothing happened' WHERE id = %s", [log[1].pk])
    expected = (f"activity:{entity.pk}", "activity", str(log[1].pk), "hash_mismatch")
    assert breaks(entity) == [expected]
    body = api.get("/v1/ledger/verification").json()
    assert body["ok"] is False
    assert [(b["chain"], b["record_type"], b["record_id"], b["reason"]) for b in body["breaks"]] == [expected]
    assert body["breaks"][0]["position"] == log[1].seq


def test_the_admin_page_names_a_rewritten_activity_row(entity, log, admin_client):
    superuser_sql("UPDATE erp_activity SET actor_name = 'someone else' WHERE id = %s", [log[0].pk])
    body = admin_client.get("/admin/ledger/ledgercheckpoint/verify/", {"entity": entity.pk}).content.decode()
    assert "Broken: 1 chain(s) do not verify" in body and str(log[0].pk) in body


def test_a_committed_row_outside_the_chain_is_named(entity, log):
    forged = uuid.uuid4()
    superuser_sql(
        "INSERT INTO erp_activity (id, entity_id, occurred_at, actor_type, actor_id, actor_name, channel,"
        " action, object_type, object_id, request_id, reason, changes)"
        " VALUES (%s, %s, now(), 'user', '1', 'acc', 'admin', 'invoice.voided', 'invoice', 'x', '', '',"
        " '{}')",
        [forged, entity.pk],
    )
    assert breaks(entity) == [(f"activity:{entity.pk}", "activity", str(forged), "unlinked")]


def test_the_checking_transactions_own_rows_are_no_break(entity, log):
    # Rows are linked at commit: inside the writing transaction they have no place yet, and that is right.
    with transaction.atomic():
        customer_create(entity=entity, name="Not yet committed")
        assert Activity.objects.filter(entity=entity, seq__isnull=True).exists()
        assert ledger_verify(entity=entity)["ok"] is True


def test_a_whole_chain_rewrite_after_its_checkpoint_is_caught(entity, log):
    # The attacker rewrites a row and recomputes every hash after it: the chain holds together again, but
    # the signed head no longer matches.
    records = activity_chain(entity=entity).records
    previous = records[0].chain_hash
    for index, record in enumerate(records[1:], start=1):
        fields = list(record.fields)
        if index == 1:
            fields[12] = "rewritten"  # reason
        new_hash = forged_hash(previous, fields)
        superuser_sql(
            "UPDATE erp_activity SET reason = %s, chain_hash = %s WHERE id = %s",
            [fields[12], new_hash, record.record_id],
        )
        previous = new_hash
    assert breaks(entity) == [(f"activity:{entity.pk}", "activity", str(log[-1].pk), "checkpoint_mismatch")]
    with pytest.raises(CommandError, match=r"activity:.*\[ledger_broken\]"):
        call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    assert LedgerCheckpoint.objects.filter(chain_id=f"activity:{entity.pk}").count() == 1


def test_sign_ledger_never_signs_a_broken_activity_chain(entity, log):
    customer_create(entity=entity, name="Four")
    superuser_sql("UPDATE erp_activity SET object_id = 'x' WHERE id = %s", [log[0].pk])
    with pytest.raises(CommandError, match=r"activity:.*\[ledger_broken\]"):
        call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    assert not LedgerCheckpoint.objects.filter(
        chain_id=f"activity:{entity.pk}", position__gt=log[-1].seq
    ).exists()


def export(entity, path) -> list[dict]:
    call_command("export_ledger", "--entity", entity.code, "--output", str(path), stdout=StringIO())
    return [json.loads(line) for line in path.read_text().splitlines()]


def verify_export(path, key) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(VERIFY_EXPORT), str(path), "--public-key", key, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )


def offline_breaks(path, key) -> list[tuple]:
    result = verify_export(path, key)
    report = json.loads(result.stdout)
    assert result.returncode == (1 if report["breaks"] else 0), result.stderr
    return [(b["chain"], b["record_type"], b["record_id"], b["reason"]) for b in report["breaks"]]


def test_an_export_carries_the_activity_chain_and_one_changed_byte_fails_it(entity, log, tmp_path):
    entity.refresh_from_db()
    path = tmp_path / "ledger.jsonl"
    lines = export(entity, path)
    rows = [line for line in lines if line.get("record_type") == "activity" and line["type"] == "record"]
    assert [row["record_id"] for row in rows] == [str(row.pk) for row in log]
    assert [row["chain_hash"] for row in rows] == [row.chain_hash for row in log]
    assert any(line["type"] == "checkpoint" and line["chain"] == f"activity:{entity.pk}" for line in lines)
    assert offline_breaks(path, entity.ledger_public_key) == []
    report = json.loads(verify_export(path, entity.ledger_public_key).stdout)
    assert report["checked"] == ledger_verify(entity=entity)["checked"]

    text = path.read_text()
    target = str(next(row.pk for row in log if row.action == "customer.created"))
    line = next(each for each in text.splitlines() if f'"record_id":"{target}"' in each)
    changed = line.replace('"customer.created"', '"customer.creatEd"', 1)  # one byte of the row's action
    assert changed != line
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(text.replace(line, changed))
    assert offline_breaks(tampered, entity.ledger_public_key) == [
        (f"activity:{entity.pk}", "activity", target, "hash_mismatch")
    ]


def test_a_number_moved_to_another_entity_fails_offline(entity, other_entity, tmp_path):
    sequence = SequenceFactory(entity=entity)
    numbers = [sequence_issue_next(sequence=sequence) for _ in range(2)]
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    entity.refresh_from_db()
    superuser_sql(
        "UPDATE numbering_issuednumber SET entity_id = %s WHERE id = %s", [other_entity.pk, numbers[0].pk]
    )
    assert IssuedNumber.objects.get(pk=numbers[0].pk).entity_id == other_entity.pk
    path = tmp_path / "ledger.jsonl"
    export(entity, path)
    assert offline_breaks(path, entity.ledger_public_key) == [
        (f"sequence:{sequence.pk}", "number", str(numbers[0].pk), "wrong_entity")
    ]
