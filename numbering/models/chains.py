"""The head of each hash chain: where the next record links on (docs/audit.md, "Hash chains")."""

from django.db import models


class ChainHead(models.Model):
    """The last position and hash of one chain, e.g. "sequence:<id>" or "journal:<entity id>".

    Written only by the database, in the statement that appends to the chain
    (numbering/migrations/0007_chains.sql); its row lock orders the chain's writers (0009). It is a
    shortcut, never evidence: verification recomputes every chain from its records and compares it
    with the signed checkpoints.
    """

    chain_id = models.CharField(max_length=80, primary_key=True)
    position = models.BigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # 0: a chain with no record yet (each sequence has its head from its creation).
            models.CheckConstraint(condition=models.Q(position__gte=0), name="chain_head_position"),
        ]

    def __str__(self) -> str:
        return f"{self.chain_id} @ {self.position}"
