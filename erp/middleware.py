"""Request-wide middleware: the X-Request-Id every response carries."""

import functools

from erp.request_context import Actor, acting, current_request_id, request_id_from_header


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
