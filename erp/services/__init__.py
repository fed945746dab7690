"""Platform services: the only write path for entities, API keys and idempotency records."""
