"""Platform models: tenancy, API keys, idempotency."""

from erp.models.api_keys import ApiKey
from erp.models.entities import Entity
from erp.models.idempotency import IdempotencyRecord

__all__ = ["ApiKey", "Entity", "IdempotencyRecord"]
