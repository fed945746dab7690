#!/usr/bin/env python3
"""Verify a Folio ledger export offline: python tools/verify_export.py EXPORT.jsonl [--public-key HEX ...]

Needs only the standard library and `cryptography` (pip install cryptography). It recomputes every hash
chain of the export (docs/audit.md, "Hash chains") and checks each signed checkpoint against the chain
and against a public key you trust. Pass the entity's key as you recorded it (GET /v1/entities/{id},
field ledger_public_key) with --public-key; without it the key written in the export is used, which
proves the file is consistent, not that it comes from the entity (after a rotation, pass every key: the
current one and each retired one; the header names them as ledger_public_key and retired_public_keys).
Exit 0 when everything verifies, 1 on the first problem of each chain (printed), 2 when the file
cannot be read.
"""

import argparse
import datetime
import hashlib
import json
import sys
from collections import defaultdict

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EXPORT_FORMAT = "folio-ledger-export-v1"
MESSAGE_FORMAT = "folio-ledger-checkpoint-v1"


def field(value):
    """One field of a canonical text: <UTF-8 byte length>:<text>, (SQL NULL: ~,)."""
    return "~," if value is None else f"{len(value.encode())}:{value},"


def link(previous_hash, record_type, position, fields):
    """The chain_hash of a record: SHA-256 of the previous hash's bytes and the record's canonical text."""
    canonical = field(record_type) + field(str(position)) + "".join(field(f) for f in fields)
    return hashlib.sha256(bytes.fromhex(previous_hash) + canonical.encode()).hexdigest()


def activity_link(previous_hash, fields):
    """An activity row's chain_hash: SHA-256 of the previous hash AS HEX TEXT and the row's fields alone."""
    return hashlib.sha256((previous_hash + "".join(field(f) for f in fields)).encode()).hexdigest()


def record_problem(chain, entity_id, previous, record):
    """Why a linked record does not follow `previous` in its chain, or None."""
    if record.get("entity_id", entity_id) != entity_id:
        return "wrong_entity"  # a number moved to another entity: its sequence's chain implies this one
    if chain.startswith("activity:"):
        # The row names its entity and position among the hashed fields: both must be the chain's.
        fields = record["fields"]
        if (
            record["record_type"] != "activity"
            or len(fields) != 14
            or (fields[1], fields[2]) != (entity_id, str(record["position"]))
            or chain != f"activity:{entity_id}"
        ):
            return "hash_mismatch"
        computed = activity_link(previous, fields)
    else:
        computed = link(previous, record["record_type"], record["position"], record["fields"])
    return None if computed == record["chain_hash"] else "hash_mismatch"


def checkpoint_message(checkpoint):
    """The bytes a checkpoint's signature covers."""
    values = (
        checkpoint["message_format"],
        checkpoint["chain"],
        str(checkpoint["position"]),
        checkpoint["record_type"],
        checkpoint["record_id"],
        checkpoint["chain_hash"],
        checkpoint["signed_at"],
    )
    return "".join(field(v) for v in values).encode()


def signature_valid(public_key, signature, message):
    """Whether `signature` (hex) is `public_key`'s (hex, raw Ed25519) signature of `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(
            bytes.fromhex(signature), message
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def read_export(path):
    """Return (header, records by chain, checkpoints by chain) of an export file."""
    header, records, checkpoints = None, defaultdict(list), defaultdict(list)
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            try:
                document = json.loads(line)
                kind = document["type"]
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"line {number}: not a line of a Folio ledger export ({error})") from error
            if kind == "header":
                header = document
            elif kind == "record":
                records[document["chain"]].append(document)
            elif kind == "checkpoint":
                checkpoints[document["chain"]].append(document)
            else:
                raise ValueError(f"line {number}: unknown line type {kind!r}")
    if header is None or header.get("format") != EXPORT_FORMAT:
        raise ValueError(f"no {EXPORT_FORMAT} header")
    return header, records, checkpoints


def chain_problem(chain, records, entity_id):
    """Return the first record of a chain that does not recompute, as (record, reason), or None."""
    previous, expected = "", 1
    for record in sorted(records, key=lambda r: (r["position"] is not None, r["position"] or 0)):
        position = record["position"]
        if position is None or record["chain_hash"] is None:
            return record, "unlinked"
        if position < expected:
            return record, "duplicate_position"
        if position > expected:
            return record, "position_gap"
        reason = record_problem(chain, entity_id, previous, record)
        if reason:
            return record, reason
        previous, expected = record["chain_hash"], expected + 1
    return None


def checkpoint_problem(records, checkpoints, trusted):
    """Return the first checkpoint the chain no longer matches, as (checkpoint, reason), or None."""
    by_position = {r["position"]: r for r in records if r["position"] is not None}
    for checkpoint in sorted(checkpoints, key=lambda c: (c["position"], c["signed_at"])):
        if checkpoint["public_key"] not in trusted:
            return checkpoint, "untrusted_key"
        if not signature_valid(
            checkpoint["public_key"], checkpoint["signature"], checkpoint_message(checkpoint)
        ):
            return checkpoint, "bad_signature"
        record = by_position.get(checkpoint["position"])
        if record is None:
            return checkpoint, "checkpoint_record_missing"
        if (record["record_type"], record["record_id"], record["chain_hash"]) != (
            checkpoint["record_type"],
            checkpoint["record_id"],
            checkpoint["chain_hash"],
        ):
            return record, "checkpoint_mismatch"
    return None


def verify(path, public_keys):
    """Verify an export; return (header, records checked, checkpoints checked, problems, unsigned records)."""
    header, records, checkpoints = read_export(path)
    # Without pinned keys: the export's own, current and retired (checkpoints signed before a rotation).
    written = {header.get("ledger_public_key"), *(header.get("retired_public_keys") or [])}
    trusted = set(public_keys) or written - {None, ""}
    problems = []
    for chain in sorted(set(records) | set(checkpoints)):
        found = chain_problem(chain, records[chain], header["entity_id"]) or checkpoint_problem(
            records[chain], checkpoints[chain], trusted
        )
        if found:
            item, reason = found
            problems.append(
                {
                    "chain": chain,
                    "record_type": item["record_type"],
                    "record_id": item["record_id"],
                    "position": item["position"],
                    "reason": reason,
                }
            )
    checked = sum(len(r) for r in records.values())
    signed = sum(len(c) for c in checkpoints.values())
    return header, checked, signed, problems, unsigned_records(records, checkpoints, trusted)


def unsigned_records(records, checkpoints, trusted):
    """Count the records past the last checkpoint of their chain signed by a trusted key.

    Hashes need no secret: those records hold together however they were rewritten, so an export
    whose checkpoints were dropped verifies; this count says how much of it nothing vouches for.
    """
    unsigned = 0
    for chain, chained in records.items():
        signed_to = max((c["position"] for c in checkpoints[chain] if c["public_key"] in trusted), default=0)
        unsigned += sum(1 for r in chained if r["position"] is None or r["position"] > signed_to)
    return unsigned


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="The file export_ledger wrote.")
    parser.add_argument(
        "--public-key",
        action="append",
        default=[],
        help="A public key you trust (hex); repeat for rotated keys.",
    )
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    try:
        header, checked, signed, problems, unsigned = verify(
            args.export, [key.strip().lower() for key in args.public_key]
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"verify_export: cannot verify {args.export}: {error}", file=sys.stderr)
        return 2
    ok = not problems
    if args.json:
        report = {
            "ok": ok,
            "checked": checked,
            "checkpoints": signed,
            "unsigned": unsigned,
            "breaks": problems,
        }
        print(json.dumps(report))
    else:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(
            f"{header['entity_code']} ({header['entity_id']}): {checked} record(s), {signed} checkpoint(s), "
            f"verified {stamp}: {'OK' if ok else 'BROKEN'}"
        )
        for problem in problems:
            print(
                f"  {problem['chain']}: {problem['record_type']} {problem['record_id']} "
                f"(position {problem['position']}): {problem['reason']}"
            )
        if unsigned:
            print(
                f"  {unsigned} record(s) not covered by a signed checkpoint: nothing vouches for them"
                " (written since the last sign_ledger, or their checkpoints are missing from the file)"
            )
        if not args.public_key:
            print("  (no --public-key given: checked against the keys written in the export)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
