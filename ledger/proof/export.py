"""export_ledger's writer: every chained record of an entity with its hash, then its signed checkpoints.

JSON lines, verified offline by tools/verify_export.py (standard library + cryptography):
  {"type": "header", "format", "entity_id", "entity_code", "exported_at", "ledger_public_key",
   "retired_public_keys", "record_fields"}
  {"type": "record", "chain", "position", "record_type", "record_id", "fields": [...], "chain_hash"}
  (a number's record also names "entity_id", the entity its row names: its sequence's, or it was moved)
  {"type": "checkpoint", "chain", "position", "record_type", "record_id", "chain_hash", "signed_at",
   "public_key", "signature", "message_format"}
A record's fields are the strings its canonical text covers, in RECORD_FIELDS order (null for NULL);
a journal entry's fields go on with its lines (id, account, debit, credit per line). The activity chain
("activity:<entity id>", record type "activity") hashes its fields alone, the previous hash as hex text
(docs/audit.md, "The activity chain").
"""

import json
from collections.abc import Iterator

from django.utils import timezone

from erp.models import Entity
from ledger.models import LedgerCheckpoint
from ledger.proof.records import RECORD_FIELDS, entity_chains
from ledger.proof.signing import MESSAGE_FORMAT, retired_public_keys
from numbering.chains import chain_time

EXPORT_FORMAT = "folio-ledger-export-v1"


def ledger_export_lines(*, entity: Entity) -> Iterator[str]:
    """Yield the export of one entity, one JSON document per line."""
    yield _line(
        type="header",
        format=EXPORT_FORMAT,
        entity_id=str(entity.pk),
        entity_code=entity.code,
        exported_at=chain_time(timezone.now()),
        ledger_public_key=entity.ledger_public_key,
        # The keys of FOLIO_LEDGER_RETIRED_SIGNING_KEYS: checkpoints signed before a rotation carry them.
        retired_public_keys=sorted(retired_public_keys(entity=entity) - {entity.ledger_public_key}),
        record_fields=RECORD_FIELDS,
    )
    for chain in entity_chains(entity=entity):
        for record in chain.records:
            named = {} if record.entity_id is None else {"entity_id": record.entity_id}
            yield _line(
                type="record",
                chain=record.chain,
                position=record.position,
                record_type=record.record_type,
                record_id=record.record_id,
                fields=list(record.fields),
                chain_hash=record.chain_hash,
                **named,
            )
    for checkpoint in LedgerCheckpoint.objects.filter(entity=entity).order_by("chain_id", "position", "pk"):
        yield _line(
            type="checkpoint",
            chain=checkpoint.chain_id,
            position=checkpoint.position,
            record_type=checkpoint.record_type,
            record_id=checkpoint.record_id,
            chain_hash=checkpoint.chain_hash,
            signed_at=chain_time(checkpoint.signed_at),
            public_key=checkpoint.public_key,
            signature=checkpoint.signature,
            message_format=MESSAGE_FORMAT,
        )


def _line(**document) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
