"""Platform models: tenancy, API keys, idempotency, admin memberships."""

from erp.models.activity import Activity, ActivityChainHead
from erp.models.api_keys import ApiKey
from erp.models.entities import Entity
from erp.models.idempotency import IdempotencyRecord
from erp.models.memberships import Membership, Role

__all__ = ["Activity", "ActivityChainHead", "ApiKey", "Entity", "IdempotencyRecord", "Membership", "Role"]
