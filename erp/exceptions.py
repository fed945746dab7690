"""One error hierarchy for the whole product; the API maps each class to a status and error type.

A refusal's `code` names its rule, the same in every app that applies the rule (docs/api.md, "Error codes").
"""


class FolioError(Exception):
    """A domain error with a stable `code` and, where it applies, the offending `param`."""

    status_code = 400
    error_type = "validation_error"
    default_code = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        hint: str | None = None,
        **extra,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.param = param
        self.hint = hint
        self.extra = extra

    def as_error(self) -> dict:
        """Return the `error` object of the envelope."""
        error = {"type": self.error_type, "code": self.code, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        if self.hint is not None:
            error["hint"] = self.hint
        error.update(self.extra)
        return error


class InvalidInput(FolioError):
    """The request is malformed (400)."""


class RuleViolation(FolioError):
    """The request is well-formed but breaks a business rule (422)."""

    status_code = 422
    default_code = "rule_violation"


class NotFound(FolioError):
    """The object does not exist for this entity (404: never reveals other entities' objects)."""

    status_code = 404
    error_type = "not_found"
    default_code = "not_found"


class PermissionDenied(FolioError):
    """The caller may not do this (403)."""

    status_code = 403
    error_type = "permission_error"
    default_code = "permission_denied"


class Conflict(FolioError):
    """The request conflicts with the current state (409)."""

    status_code = 409
    error_type = "conflict"
    default_code = "conflict"


class RequestTooLarge(FolioError):
    """The request body is over the size the API reads (413)."""

    status_code = 413
    default_code = "request_too_large"

    def __init__(self, message: str = "The request body is too large.", **kwargs):
        super().__init__(message, **kwargs)
