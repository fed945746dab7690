"""The platform's REST plumbing: authentication, scopes, errors, pagination, idempotency, base views."""
