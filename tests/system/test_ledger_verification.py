"""Proof that the books were not rewritten: an attacker holding the database superuser changes the records
around every guard, and verification names the first broken record of the chain (docs/audit.md).
"""

import json
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from erp.models import Activity
from ledger.models import JournalEntry, LedgerCheckpoint
from ledger.proof.records import sequence_chain
from ledger.proof.signing import signing_secret
from ledger.services import journal_entry_post
from numbering.chains import chain_canonical, chain_link
from numbering.models import IssuedNumber
from numbering.services import counter_advance, issued_number_void, sequence_issue_block, sequence_issue_next
from tests.db_roles import as_owner, superuser_sql
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the superuser's connection sees committed rows only

VERIFY_EXPORT = settings.BASE_DIR / "tools" / "verify_export.py"


@pytest.fixture
def books(entity):
    """A sequence with numbers (one a block, one voided), a counter event, journal entries; all signed."""
    sequence = SequenceFactory(entity=entity)
    numbers = [sequence_issue_next(sequence=sequence) for _ in range(3)]
    numbers += list(sequence_issue_block(sequence=sequence, count=4))
    issued_number_void(issued_number=numbers[4], reason="spoilt", voided_by="test")
    counter_advance(sequence=sequence, advance_to=20, reason="migration", actor="test")
    entries = [
        journal_entry_post(
            entity=entity,
            date=entity.created_at.date(),
            memo=f"sale {amount}",
            lines=[("cash", amount, 0), ("revenue", 0, amount)],
            source_type="manual",
            source_id="",
            posted_by="test",
        )
        for amount in ("5.00", "7.25", "9.99")
    ]
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    return sequence, [IssuedNumber.objects.get(pk=n.pk) for n in numbers], entries


def verify(entity) -> dict:
    """Run verify_ledger --json; return its report (it exits 1 on a break)."""
    out = StringIO()
    try:
        call_command("verify_ledger", "--entity", entity.code, "--json", stdout=out)
    except CommandError:
        report = json.loads(out.getvalue())
        assert report["ok"] is False
        return report
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    return report


def chained(entity) -> int:
    """The records of the entity's chains: the books' 15 and its activity log's rows."""
    activity = Activity.objects.filter(entity=entity).count()
    assert activity > 0  # the books' writes were recorded, so the activity chain is part of the check
    return 7 + 1 + 1 + 3 + 3 + activity


def only_break(entity) -> tuple:
    report = verify(entity)
    assert len(report["breaks"]) == 1, report["breaks"]
    found = report["breaks"][0]
    return found["chain"], found["record_type"], found["record_id"], found["reason"]


def test_untouched_books_verify_clean(entity, books):
    report = verify(entity)
    # 7 numbers, a void and a counter event; the journal's 3 numbers and its 3 entries; the activity rows.
    assert report == {"ok": True, "checked": chained(entity), "breaks": []}


def test_a_rewritten_number_is_named(entity, books):
    sequence, numbers, _ = books
    superuser_sql("UPDATE numbering_issuednumber SET number = 'T9999' WHERE id = %s", [numbers[2].pk])
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(numbers[2].pk), "hash_mismatch")


def test_a_rewritten_issuer_is_named(entity, books):
    sequence, numbers, _ = books
    superuser_sql(
        "UPDATE numbering_issuednumber SET issued_by = 'someone else' WHERE id = %s", [numbers[0].pk]
    )
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(numbers[0].pk), "hash_mismatch")


def test_a_deleted_number_is_named_by_the_record_after_it(entity, books):
    sequence, numbers, _ = books
    superuser_sql("DELETE FROM numbering_issuednumber WHERE id = %s", [numbers[1].pk])
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(numbers[2].pk), "position_gap")


def test_an_inserted_number_is_named(entity, books):
    sequence, numbers, _ = books
    forged = superuser_sql(
        "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status, "
        "document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by) "
        "VALUES (gen_random_uuid(), %s, %s, %s, 50, 'T0050', 'issued', '', '', '', now(), '', '', '') "
        "RETURNING id",
        [entity.pk, sequence.pk, numbers[0].period_id],
    )[0][0]
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(forged), "unlinked")


def test_a_number_inserted_with_a_forged_link_is_named(entity, books):
    # The attacker copies a position and computes a hash: it cannot link onto what follows.
    sequence, numbers, _ = books
    forged = superuser_sql(
        "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status, "
        "document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by, "
        "chain_position, chain_hash) VALUES ('00000000-0000-4000-8000-000000000000', %s, %s, %s, 50, "
        "'T0050', 'issued', '', '', '', now(), '', '', '', 2, repeat('a', 64)) RETURNING id",
        [entity.pk, sequence.pk, numbers[0].period_id],
    )[0][0]
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(forged), "hash_mismatch")


def test_two_reordered_numbers_are_named_by_the_first(entity, books):
    sequence, numbers, _ = books
    superuser_sql(
        "UPDATE numbering_issuednumber SET chain_position = CASE id WHEN %s THEN 4 ELSE 3 END "
        "WHERE id IN (%s, %s)",
        [numbers[2].pk, numbers[2].pk, numbers[3].pk],
    )
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(numbers[3].pk), "hash_mismatch")


def test_a_changed_journal_amount_is_named(entity, books):
    _, _, entries = books
    # Still balanced, so the double-entry guards would have nothing to say.
    superuser_sql("UPDATE erp_journalline SET debit = 500 WHERE entry_id = %s AND debit > 0", [entries[1].pk])
    superuser_sql(
        "UPDATE erp_journalline SET credit = 500 WHERE entry_id = %s AND credit > 0", [entries[1].pk]
    )
    assert only_break(entity) == (
        f"journal:{entity.pk}",
        "journal_entry",
        str(entries[1].pk),
        "hash_mismatch",
    )


def test_a_chain_rewritten_whole_after_its_checkpoint_is_caught_by_the_signature(entity, books):
    # The attacker rewrites a number and recomputes every later link: the chain is consistent again,
    # but no longer ends where the signed checkpoint says it did.
    sequence, numbers, _ = books
    superuser_sql("UPDATE numbering_issuednumber SET number = 'T9999' WHERE id = %s", [numbers[2].pk])
    previous, relinked = "", []
    for record in sequence_chain(sequence_id=sequence.pk).records:
        previous = chain_link(previous, chain_canonical(record.record_type, record.position, record.fields))
        relinked.append((record, previous))
    for record, chain_hash in relinked:
        column = "void_chain_hash" if record.record_type == "void" else "chain_hash"
        table = (
            "numbering_counterevent" if record.record_type == "counter_event" else "numbering_issuednumber"
        )
        superuser_sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [chain_hash, record.record_id])
    head = relinked[-1][0]
    assert only_break(entity) == (
        f"sequence:{sequence.pk}",
        head.record_type,
        head.record_id,
        "checkpoint_mismatch",
    )


def test_a_forged_checkpoint_is_not_trusted(entity, books):
    checkpoint = LedgerCheckpoint.objects.filter(entity=entity).first()
    superuser_sql(
        "UPDATE ledger_ledgercheckpoint SET signature = repeat('0', 128) WHERE id = %s", [checkpoint.pk]
    )
    assert only_break(entity)[3] == "bad_signature"
    superuser_sql(
        "UPDATE ledger_ledgercheckpoint SET public_key = repeat('1', 64) WHERE id = %s", [checkpoint.pk]
    )
    assert only_break(entity)[3] == "untrusted_key"


def test_sign_ledger_signs_only_the_heads_that_moved(entity, books):
    sequence, _, _ = books
    before = LedgerCheckpoint.objects.count()
    assert before == 4  # the journal, the test sequence, the journal's sequence and the activity log
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    assert LedgerCheckpoint.objects.count() == before
    sequence_issue_next(sequence=sequence)
    out = StringIO()
    call_command("sign_ledger", "--entity", entity.code, "--json", stdout=out)
    assert [c["chain"] for c in json.loads(out.getvalue())["signed"]] == [f"sequence:{sequence.pk}"]


def test_sign_ledger_refuses_to_sign_a_broken_chain(entity, books):
    sequence, numbers, _ = books
    sequence_issue_next(sequence=sequence)
    superuser_sql("UPDATE numbering_issuednumber SET reference = 'x' WHERE id = %s", [numbers[0].pk])
    with pytest.raises(CommandError, match=r"do not verify.*\[ledger_broken\]"):
        call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    assert not LedgerCheckpoint.objects.filter(chain_id=f"sequence:{sequence.pk}", position=10).exists()


def test_the_api_reports_the_same(entity, books, make_client):
    _, numbers, _ = books
    api = make_client(entity, scopes=["audit:read"])
    body = api.get("/v1/ledger/verification").json()
    assert body == {"ok": True, "checked": chained(entity), "breaks": []}
    superuser_sql("UPDATE numbering_issuednumber SET number = 'T9999' WHERE id = %s", [numbers[2].pk])
    body = api.get("/v1/ledger/verification").json()
    assert body["ok"] is False
    assert [(b["record_type"], b["record_id"], b["reason"]) for b in body["breaks"]] == [
        ("number", str(numbers[2].pk), "hash_mismatch")
    ]
    assert make_client(entity, scopes=["accounting:read"]).get("/v1/ledger/verification").status_code == 403


def test_the_entity_shows_its_ledger_public_key(entity, books, make_client):
    key = make_client(entity, scopes=["numbering:read"]).get(f"/v1/entities/{entity.pk}").json()
    assert len(key["ledger_public_key"]) == 64
    assert {c.public_key for c in LedgerCheckpoint.objects.filter(entity=entity)} == {
        key["ledger_public_key"]
    }


def export(entity, path) -> None:
    call_command(
        "export_ledger",
        "--entity",
        entity.code,
        "--format",
        "jsonl",
        "--output",
        str(path),
        stdout=StringIO(),
    )


def verify_export(path, *keys) -> subprocess.CompletedProcess:
    arguments = [arg for key in keys for arg in ("--public-key", key)]
    return subprocess.run(
        [sys.executable, str(VERIFY_EXPORT), str(path), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_export_verifies_offline_and_one_changed_byte_fails_it(entity, books, tmp_path):
    entity.refresh_from_db()
    path = tmp_path / "ledger.jsonl"
    export(entity, path)
    result = verify_export(path, entity.ledger_public_key)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{chained(entity)} record(s), 4 checkpoint(s)" in result.stdout and "OK" in result.stdout
    text = path.read_text()
    assert text.count('"7.25"') == 2  # the debit and the credit of the second entry
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(text.replace('"7.25"', '"7.26"', 1))
    result = verify_export(tampered, entity.ledger_public_key)
    assert result.returncode == 1
    assert "journal_entry" in result.stdout and "hash_mismatch" in result.stdout


def test_an_export_signed_by_another_key_fails_offline(entity, books, other_entity, tmp_path):
    call_command("sign_ledger", "--entity", other_entity.code, stdout=StringIO())
    other_entity.refresh_from_db()
    path = tmp_path / "ledger.jsonl"
    export(entity, path)
    result = verify_export(path, other_entity.ledger_public_key)
    assert result.returncode == 1 and "untrusted_key" in result.stdout


def test_an_unreadable_export_says_so(tmp_path):
    path = tmp_path / "nonsense.jsonl"
    path.write_text("not json\n")
    result = verify_export(path)
    assert result.returncode == 2 and "cannot verify" in result.stderr


def test_journal_entries_count_in_the_check(entity, books):
    assert JournalEntry.objects.filter(entity=entity).count() == 3


def test_the_admin_page_verifies_and_names_the_break(entity, books, admin_client):
    _, numbers, _ = books
    page = admin_client.get("/admin/ledger/ledgercheckpoint/verify/", {"entity": entity.pk})
    assert page.status_code == 200
    assert f"Verified: {chained(entity)} record(s), no break." in page.content.decode()
    superuser_sql("UPDATE numbering_issuednumber SET number = 'T9999' WHERE id = %s", [numbers[2].pk])
    body = admin_client.get("/admin/ledger/ledgercheckpoint/verify/", {"entity": entity.pk}).content.decode()
    assert "Broken: 1 chain(s) do not verify" in body and str(numbers[2].pk) in body


def test_a_number_moved_to_another_entity_is_named(entity, books, other_entity):
    # The chain implies the entity (the sequence's); the row's column is checked against it.
    sequence, numbers, _ = books
    superuser_sql(
        "UPDATE numbering_issuednumber SET entity_id = %s WHERE id = %s", [other_entity.pk, numbers[5].pk]
    )
    assert only_break(entity) == (f"sequence:{sequence.pk}", "number", str(numbers[5].pk), "wrong_entity")


def test_the_chain_migrations_link_books_written_before_them(entity, books):
    # Down to before the chains (the demo-like books above lose their links), then up again: the
    # migrations link every existing record, in the order it was written, in the current form.
    sequence, numbers, _ = books
    with as_owner():
        executor = MigrationExecutor(connection)
        executor.migrate(
            [("ledger", "0005_numbers_voided_with_documents"), ("numbering", "0006_number_bound_to_document")]
        )
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert verify(entity) == {
        "ok": True,
        "checked": chained(entity),
        "breaks": [],
    }  # the checkpoints went with their table
    chain = sequence_chain(sequence_id=sequence.pk)
    assert [r.record_id for r in chain.records if r.record_type == "number"] == [str(n.pk) for n in numbers]
    assert all(r.chain_hash for r in chain.records)


def test_a_missing_or_malformed_signing_key_is_a_one_line_refusal(
    entity, books, settings, monkeypatch, make_client
):
    monkeypatch.setenv("FOLIO_LEDGER_SIGNING_KEY", "not hex")
    with pytest.raises(CommandError, match=r"64 hexadecimal digits .*\[ledger_signing_key_invalid\]"):
        call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    monkeypatch.delenv("FOLIO_LEDGER_SIGNING_KEY")
    settings.PRODUCTION = True
    response = make_client(entity, scopes=["audit:read"]).get("/v1/ledger/verification")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "ledger_signing_key_missing")


def test_after_a_rotation_the_old_checkpoints_verify_online_and_offline(entity, books, monkeypatch, tmp_path):
    entity.refresh_from_db()
    old_public = entity.ledger_public_key
    monkeypatch.setenv("FOLIO_LEDGER_RETIRED_SIGNING_KEYS", signing_secret().hex())
    monkeypatch.setenv("FOLIO_LEDGER_SIGNING_KEY", secrets.token_hex(32))
    call_command("sign_ledger", "--entity", entity.code, stdout=StringIO())
    entity.refresh_from_db()
    assert entity.ledger_public_key != old_public
    assert set(LedgerCheckpoint.objects.filter(entity=entity).values_list("public_key", flat=True)) == {
        old_public,
        entity.ledger_public_key,
    }
    assert verify(entity)["breaks"] == []
    path = tmp_path / "ledger.jsonl"
    export(entity, path)
    # The export names the retired key beside the current one, so the file checks out on its own...
    result = verify_export(path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(path.read_text().splitlines()[0])["retired_public_keys"] == [old_public]
    # ...and so does an auditor pinning both keys; pinning only the new one leaves the old untrusted.
    assert verify_export(path, old_public, entity.ledger_public_key).returncode == 0
    result = verify_export(path, entity.ledger_public_key)
    assert result.returncode == 1 and "untrusted_key" in result.stdout


def test_an_export_needs_no_signing_secret(entity, books, settings, monkeypatch, tmp_path):
    # Exporting reads what was signed; only signing and checking need the secret (a read-only replica).
    monkeypatch.delenv("FOLIO_LEDGER_SIGNING_KEY", raising=False)
    settings.PRODUCTION = True
    export(entity, tmp_path / "ledger.jsonl")
    header = json.loads((tmp_path / "ledger.jsonl").read_text().splitlines()[0])
    assert header["retired_public_keys"] == []


def test_an_export_stripped_of_its_checkpoints_says_nothing_is_signed(entity, books, tmp_path):
    # Records hash without a secret: a file without checkpoints holds together whatever was rewritten, so
    # the verifier must say how much a signature covers, not just "OK".
    entity.refresh_from_db()
    path = tmp_path / "ledger.jsonl"
    export(entity, path)
    result = subprocess.run(
        [sys.executable, str(VERIFY_EXPORT), str(path), "--public-key", entity.ledger_public_key, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stdout)["unsigned"] == 0  # sign_ledger signed every head
    stripped = tmp_path / "stripped.jsonl"
    stripped.write_text(
        "".join(line for line in path.read_text().splitlines(True) if '"checkpoint"' not in line)
    )
    result = verify_export(stripped, entity.ledger_public_key)
    assert result.returncode == 0
    assert f"{chained(entity)} record(s) not covered by a signed checkpoint" in result.stdout
