"""sign_ledger's service: sign each chain head that moved since its last checkpoint (docs/audit.md)."""

from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from erp.exceptions import RuleViolation
from erp.models import Entity
from ledger.models import LedgerCheckpoint
from ledger.proof.records import entity_chains
from ledger.proof.signing import checkpoint_message, entity_signing_key, public_key_hex
from ledger.proof.verification import chain_break, checkpoint_break, trusted_public_keys


def entity_ledger_sign(*, entity: Entity) -> list[LedgerCheckpoint]:
    """Sign each chain head of the entity that moved (or whose key changed); return the new checkpoints.

    A chain that does not verify is never signed: signing it would vouch for the rewrite. Safe to run
    from cron and twice at once: the entity's checkpoints are written under one advisory lock.
    """
    key = entity_signing_key(entity=entity)
    public_key = public_key_hex(key)
    created = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"sign_ledger:{entity.pk}"]
            )
        if entity.ledger_public_key != public_key:  # first signature, or a rotated key
            Entity.objects.filter(pk=entity.pk).update(ledger_public_key=public_key)
            entity.ledger_public_key = public_key
        latest, signed = {}, defaultdict(list)
        for checkpoint in LedgerCheckpoint.objects.filter(entity=entity).order_by(
            "chain_id", "position", "pk"
        ):
            latest[checkpoint.chain_id] = checkpoint
            signed[checkpoint.chain_id].append(checkpoint)
        trusted = trusted_public_keys(entity=entity) if signed else set()
        broken = []
        for chain in entity_chains(entity=entity):
            linked = [record for record in chain.records if record.position is not None]
            if not linked:
                continue
            # A chain rewritten whole holds together again: only its earlier checkpoints tell.
            found = chain_break(chain) or checkpoint_break(chain, signed[chain.chain_id], trusted)
            if found:
                broken.append(found)
                continue
            head = linked[-1]
            last = latest.get(chain.chain_id)
            if last and (last.position, last.chain_hash, last.public_key) == (
                head.position,
                head.chain_hash,
                public_key,
            ):
                continue  # nothing moved since it was signed
            checkpoint = LedgerCheckpoint(
                entity=entity,
                chain_id=chain.chain_id,
                position=head.position,
                record_type=head.record_type,
                record_id=head.record_id,
                chain_hash=head.chain_hash,
                signed_at=timezone.now(),
                public_key=public_key,
            )
            checkpoint.signature = key.sign(checkpoint_message(checkpoint)).hex()
            checkpoint.save(force_insert=True)
            created.append(checkpoint)
    if broken:
        first = broken[0]
        raise RuleViolation(
            f"{len(broken)} chain(s) of {entity.code} do not verify and were not signed; the first: "
            f"{first.chain} at {first.record_type} {first.record_id} ({first.reason}). Run verify_ledger.",
            code="ledger_broken",
        )
    return created
