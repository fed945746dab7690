"""Who is acting, and in which request: read from anywhere in the request (logs, errors, the activity log).

The request id is set by the middleware (erp/middleware.py) or a command (erp/management/base.py). The
actor is set once per way in: the middleware names the session user (the admin), the API layer names
the key (erp/api/base.py), a command names itself; services only read it (erp/services/activity.py).
"""

import re
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


@dataclass(frozen=True)
class Actor:
    """Who writes, and through which channel: user|api_key|command, via admin|api|command."""

    type: str
    id: str
    name: str
    channel: str


# An Actor, or a function returning one when first needed (the admin's user is read only if a
# write happens: most requests write nothing).
current_actor: ContextVar[Actor | Callable[[], Actor] | None] = ContextVar("current_actor", default=None)


def actor_now() -> Actor:
    """Return the acting actor; a write outside any request or command is the running program's."""
    actor = current_actor.get()
    if callable(actor):
        actor = actor()
    if actor is None:
        program = _program_name()
        actor = Actor(type="command", id=program, name=program, channel="command")
    return actor


@contextmanager
def acting(actor: Actor | Callable[[], Actor], *, request_id: str | None = None) -> Iterator[None]:
    """Name the actor (and the request id, when given) for the writes made inside the block."""
    actor_token = current_actor.set(actor)
    id_token = current_request_id.set(request_id) if request_id is not None else None
    try:
        yield
    finally:
        current_actor.reset(actor_token)
        if id_token is not None:
            current_request_id.reset(id_token)


def _program_name() -> str:
    # "manage.py shell" is named "shell", pytest "pytest": what ran the write.
    argv = sys.argv or ["python"]
    name = Path(argv[0]).name
    if name == "manage.py" and len(argv) > 1:
        name = argv[1]
    return name[:150] or "python"


# A caller's id is echoed only when it is short and plain, so it cannot inject into logs or headers.
_CALLER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from_header(value: str | None) -> str:
    """Return the caller's X-Request-Id when it is safe to echo, else a new one."""
    if value and _CALLER_ID.match(value):
        return value
    return f"req_{uuid.uuid4().hex}"
