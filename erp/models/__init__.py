"""Platform models (tenancy, API keys, idempotency) and the ledger."""

from erp.models.platform import ApiKey, Entity, IdempotencyRecord

__all__ = ["ApiKey", "Entity", "IdempotencyRecord"]
