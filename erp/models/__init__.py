"""Platform models (tenancy, API keys, idempotency) and the ledger."""

from erp.models.ledger import Account, JournalEntry, JournalLine
from erp.models.platform import ApiKey, Entity, IdempotencyRecord

__all__ = ["Account", "ApiKey", "Entity", "IdempotencyRecord", "JournalEntry", "JournalLine"]
