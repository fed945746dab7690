"""Platform models: tenancy, API keys, idempotency."""

from erp.models.platform import ApiKey, Entity, IdempotencyRecord

__all__ = ["ApiKey", "Entity", "IdempotencyRecord"]
