"""Signed checkpoints: a chain's head, signed with its entity's Ed25519 key (docs/audit.md)."""

from django.db import models

from erp.models import Entity


class LedgerCheckpoint(models.Model):
    """One chain head as sign_ledger saw it: the chain, its last record and hash, when, and the signature.

    Append-only (ledger/migrations/0007_checkpoints.sql). The signature covers checkpoint_message() of
    ledger/proof/signing.py; the public key is kept with it, so a rotated key still verifies old ones.
    """

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    chain_id = models.CharField(max_length=80)
    position = models.BigIntegerField()
    record_type = models.CharField(max_length=20)
    record_id = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    public_key = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    class Meta:
        ordering = ["chain_id", "position"]
        indexes = [models.Index(fields=["entity", "chain_id", "position"], name="checkpoint_chain")]

    def __str__(self) -> str:
        return f"{self.chain_id} @ {self.position}"
