"""Scopes: every API view declares what a key needs to read and to write through it."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

# Declared by views any valid key of the entity may use (e.g. reading its own entity).
ANY_KEY = "*"


class InsufficientScope(exceptions.PermissionDenied):
    default_code = "insufficient_scope"

    def __init__(self, required: str):
        super().__init__(f"This API key lacks the {required!r} scope.")
        self.required = required


class ScopeRequired(BasePermission):
    """Allow a request only when its key carries the scope the view declares for the method.

    Views set `required_scopes = {"read": "...", "write": "..."}`; a view without it is a
    programming error, refused loudly rather than left open.
    """

    def has_permission(self, request, view) -> bool:
        required = required_scope(view, request.method)
        if request.auth is None:
            raise exceptions.NotAuthenticated("An API key is required: Authorization: Bearer <key>.")
        if required != ANY_KEY and required not in request.auth.scopes:
            raise InsufficientScope(required)
        return True


def required_scope(view, method: str) -> str:
    """Return the scope a view needs for an HTTP method."""
    scopes = getattr(view, "required_scopes", None)
    if not scopes:
        raise ImproperlyConfigured(f"{type(view).__name__} declares no required_scopes")
    required = scopes.get("read" if method in SAFE_METHODS else "write")
    if required is None:
        # A read-only view has no write scope: the method itself is not offered.
        raise exceptions.MethodNotAllowed(method)
    return required
