"""The API scopes a key can carry (docs/api.md, "Authentication and scopes")."""

SCOPES = frozenset(
    {
        "numbering:read",
        "numbering:write",
        "migration:write",
        "payments:read",
        "payments:write",
        "accounts:read",
        "accounts:write",
        "purchasing:read",
        "purchasing:write",
        "accounting:read",
        "accounting:write",
        "audit:read",
    }
)
