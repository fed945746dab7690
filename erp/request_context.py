"""The current request's id, readable from anywhere in the request (logs, error envelopes)."""

import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

# A caller's id is echoed only when it is short and plain, so it cannot inject into logs or headers.
_CALLER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from_header(value: str | None) -> str:
    """Return the caller's X-Request-Id when it is safe to echo, else a new one."""
    if value and _CALLER_ID.match(value):
        return value
    return f"req_{uuid.uuid4().hex}"
