"""Verify the hash chains: recompute every link and compare the heads with their signed checkpoints.

A break names the first record of its chain that no longer holds: changed (hash_mismatch), missing
before it (position_gap), repeated (duplicate_position), written without its link (unlinked), or
rewritten since a signed checkpoint (checkpoint_mismatch, checkpoint_record_missing). A checkpoint
whose signature fails, or that was not signed by a key of the entity, is a break too.
"""

import dataclasses
import hashlib
from collections import defaultdict

from erp.models import Entity
from ledger.models import LedgerCheckpoint
from ledger.proof.records import Chain, ChainRecord, entity_chains
from ledger.proof.signing import (
    checkpoint_message,
    derived_public_keys,
    signature_valid,
)
from numbering.chains import chain_canonical, chain_field, chain_link

REASONS = {
    "unlinked": "the record carries no link of its chain",
    "wrong_entity": "the number no longer belongs to its sequence's entity",
    "duplicate_position": "another record holds the same position of the chain",
    "position_gap": "records before this one are missing from the chain",
    "hash_mismatch": "the record, or the one before it, is not what was linked",
    "checkpoint_mismatch": "the chain was rewritten up to this record since its head was signed",
    "checkpoint_record_missing": "the record a signed checkpoint names is gone",
    "bad_signature": "a checkpoint's signature does not verify",
    "untrusted_key": "a checkpoint was signed by a key that is not the entity's",
}


@dataclasses.dataclass(frozen=True)
class Break:
    """The first record of a chain that does not verify, and why."""

    chain: str
    record_type: str
    record_id: str
    reason: str
    position: int | None = None

    def as_dict(self) -> dict:
        """Return the break as the API and the command print it."""
        return {
            "chain": self.chain,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "reason": self.reason,
            "position": self.position,
            "message": REASONS[self.reason],
        }


def chain_break(chain: Chain) -> Break | None:
    """Return the first record of `chain` whose link does not recompute, or None."""
    previous, expected = "", 1
    for record in chain.records:
        reason = None
        if record.position is None or record.chain_hash is None:
            reason = "unlinked"
        elif record.misplaced:
            reason = "wrong_entity"
        elif record.position < expected:
            reason = "duplicate_position"
        elif record.position > expected:
            reason = "position_gap"
        elif record_link(previous, record) != record.chain_hash:
            reason = "hash_mismatch"
        if reason:
            return Break(chain.chain_id, record.record_type, record.record_id, reason, record.position)
        previous, expected = record.chain_hash, expected + 1
    return None


def record_link(previous: str, record: ChainRecord) -> str:
    """Return the chain_hash a record should carry after `previous` ("" for the first)."""
    if record.record_type == "activity":
        return activity_link(previous, record.fields)
    return chain_link(previous, record_canonical(record))


def activity_link(previous: str, fields) -> str:
    """Return an activity row's chain_hash: SHA-256 of the previous hash AS HEX TEXT and the row's fields.

    The activity log's scheme (erp/migrations/0009_activity_log.sql), kept as its rows were written:
    no record type or position before the fields (seq is one of them), previous hash not decoded.
    """
    return hashlib.sha256((previous + "".join(chain_field(value) for value in fields)).encode()).hexdigest()


def record_canonical(record: ChainRecord) -> str:
    """Return the canonical text of a record as its chain hashed it."""
    return chain_canonical(record.record_type, record.position, record.fields)


def checkpoint_break(chain: Chain, checkpoints: list[LedgerCheckpoint], trusted: set[str]) -> Break | None:
    """Return the first signed checkpoint of `chain` that its records no longer match, or None."""
    by_position = {record.position: record for record in chain.records if record.position is not None}
    for checkpoint in sorted(checkpoints, key=lambda c: (c.position, c.signed_at)):
        message = checkpoint_message(checkpoint)
        named = Break(chain.chain_id, checkpoint.record_type, checkpoint.record_id, "", checkpoint.position)
        if checkpoint.public_key not in trusted:
            return dataclasses.replace(named, reason="untrusted_key")
        if not signature_valid(
            public_key=checkpoint.public_key, signature=checkpoint.signature, message=message
        ):
            return dataclasses.replace(named, reason="bad_signature")
        record = by_position.get(checkpoint.position)
        if record is None:
            return dataclasses.replace(named, reason="checkpoint_record_missing")
        if (record.record_type, record.record_id, record.chain_hash) != (
            checkpoint.record_type,
            checkpoint.record_id,
            checkpoint.chain_hash,
        ):
            return Break(
                chain.chain_id, record.record_type, record.record_id, "checkpoint_mismatch", record.position
            )
    return None


def trusted_public_keys(*, entity: Entity) -> set[str]:
    """Return the public keys the entity's checkpoints may carry: its current and retired signing keys."""
    return derived_public_keys(entity=entity)


def entity_verify(*, entity: Entity) -> tuple[int, list[Break]]:
    """Verify every chain of one entity; return the number of records checked and each chain's first break."""
    checkpoints = defaultdict(list)
    for checkpoint in LedgerCheckpoint.objects.filter(entity=entity):
        checkpoints[checkpoint.chain_id].append(checkpoint)
    trusted = trusted_public_keys(entity=entity) if checkpoints else set()
    checked, breaks = 0, []
    seen = set()
    for chain in entity_chains(entity=entity):
        seen.add(chain.chain_id)
        checked += len(chain.records)
        found = chain_break(chain) or checkpoint_break(chain, checkpoints.get(chain.chain_id, []), trusted)
        if found:
            breaks.append(found)
    for chain_id in sorted(set(checkpoints) - seen):  # a signed chain whose records are all gone
        found = checkpoint_break(Chain(chain_id=chain_id, records=[]), checkpoints[chain_id], trusted)
        if found:
            breaks.append(found)
    return checked, breaks


def ledger_verify(*, entity: Entity | None = None) -> dict:
    """Verify the chains of one entity (or of every entity): {"ok", "checked", "breaks"}."""
    entities = [entity] if entity is not None else list(Entity.objects.order_by("code", "pk"))
    checked, breaks = 0, []
    for each in entities:
        count, found = entity_verify(entity=each)
        checked += count
        breaks.extend(found)
    return {"ok": not breaks, "checked": checked, "breaks": [b.as_dict() for b in breaks]}
