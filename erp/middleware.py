"""Request-wide middleware: the X-Request-Id every response carries."""

from erp.request_context import current_request_id, request_id_from_header


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
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response
