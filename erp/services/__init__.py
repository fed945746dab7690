"""Platform services: the only write path for entities, API keys and idempotency records."""

from erp.services.api_keys import ApiKeyRejected, api_key_authenticate, api_key_create, api_key_revoke
from erp.services.contact_fields import checked_email, checked_name, checked_reference
from erp.services.entities import entity_create, entity_update
from erp.services.idempotency import (
    idempotency_records_purge,
    request_fingerprint,
    run_idempotently,
    validate_idempotency_key,
)

__all__ = [
    "ApiKeyRejected",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "checked_email",
    "checked_name",
    "checked_reference",
    "entity_create",
    "entity_update",
    "idempotency_records_purge",
    "request_fingerprint",
    "run_idempotently",
    "validate_idempotency_key",
]
