"""Request-wide middleware: the X-Request-Id of every response; the admin's middleware kept off the API."""

import functools

from django.contrib.auth import middleware as auth_middleware
from django.contrib.messages import middleware as messages_middleware

from erp.request_context import Actor, acting, current_request_id, request_id_from_header

# Paths whose callers present an API key (or nothing: the health probes), never a session: the /v1 API, the
# Intacct and PORTOS dialects (erp/urls.py).
API_PATH_PREFIXES = ("/v1/", "/ia/", "/portos/", "/healthz", "/readyz")


def is_api_path(path_info: str) -> bool:
    """Return whether a request's path is served to API callers only (see API_PATH_PREFIXES)."""
    return path_info.startswith(API_PATH_PREFIXES)


class RequestIdMiddleware:
    """Give every request an id (the caller's X-Request-Id or a new one) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from_header(request.headers.get("X-Request-Id"))
        request.request_id = request_id
        # Not reset on the way out: Django logs the response ("Forbidden: …") after the
        # middleware chain returns, and that line must still carry this id. The next request
        # on the thread sets its own.
        current_request_id.set(request_id)
        # Writes name the session user (the admin's channel) unless the API layer names a key instead;
        # reset on the way out, so a later write on this thread is never taken for this request's.
        with acting(functools.partial(_session_actor, request)):
            response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response


def _session_actor(request) -> Actor:
    """Name the signed-in user behind an admin (or other session) request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Actor(type="user", id="", name="anonymous", channel="admin")
    return Actor(type="user", id=str(user.pk), name=user.get_username(), channel="admin")


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, for everything but the API: DRF names an API request's caller itself (request.user)."""

    def process_request(self, request):
        if not is_api_path(request.path_info):
            super().process_request(request)


class MessageMiddleware(messages_middleware.MessageMiddleware):
    """Django's, for everything but the API, which shows no messages.

    Django builds the message storage for every request (it imports MESSAGE_STORAGE by name each time):
    ≈ 88,000 instructions, a twelfth of what `/healthz` costs in all (docs/benchmarks.md, "The fifth pass").
    The response side already passes over a request without storage.
    """

    def process_request(self, request):
        if not is_api_path(request.path_info):
            super().process_request(request)
