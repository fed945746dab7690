"""Platform services: the only write path for entities, test books, keys, memberships, idempotency records."""

from erp.services.api_keys import ApiKeyRejected, api_key_authenticate, api_key_create, api_key_revoke
from erp.services.contact_fields import checked_email, checked_name, checked_reference
from erp.services.entities import entity_create, entity_update
from erp.services.idempotency import (
    idempotency_records_purge,
    request_fingerprint,
    run_idempotently,
    validate_idempotency_key,
)
from erp.services.memberships import membership_grant, membership_revoke
from erp.services.modes import entity_test_books, live_entity_of

__all__ = [
    "ApiKeyRejected",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "checked_email",
    "checked_name",
    "checked_reference",
    "entity_create",
    "entity_test_books",
    "entity_update",
    "idempotency_records_purge",
    "live_entity_of",
    "membership_grant",
    "membership_revoke",
    "request_fingerprint",
    "run_idempotently",
    "validate_idempotency_key",
]
