"""Bearer API-key authentication."""

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from erp.api.throttling import refuse_failed_authentication
from erp.models import ApiKey
from erp.services.api_keys import ApiKeyRejected, api_key_authenticate_metered
from erp.services.rate_limits import api_key_rate


@dataclass(frozen=True)
class ApiKeyPrincipal:
    """The caller behind an API key (request.user); the key itself is request.auth."""

    api_key: ApiKey
    # What the key's rate-limit bucket said when the key lookup took a token (erp/api/throttling.py);
    # None when it took none (buckets in a cache), and the throttle takes it then.
    rate_wait: float | None = None

    is_authenticated = True
    is_anonymous = False

    @property
    def entity(self):
        """Return the entity the key belongs to."""
        return self.api_key.entity

    def __str__(self) -> str:
        return f"api_key:{self.api_key.prefix}"


class InvalidApiKey(exceptions.AuthenticationFailed):
    default_code = "invalid_api_key"


class ApiKeyAuthentication(BaseAuthentication):
    """Authenticate `Authorization: Bearer ark_live_ent_…` against the hashed key table."""

    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header:
            return None
        try:
            api_key, rate_wait = self._api_key(header)
        except InvalidApiKey:
            # Counted per client address: past the limit the answer is 429, not 401 (docs/api.md).
            refuse_failed_authentication(request)
            raise
        return ApiKeyPrincipal(api_key, rate_wait), api_key

    def _api_key(self, header: list[bytes]) -> tuple[ApiKey, float | None]:
        if header[0].lower() != self.keyword or len(header) != 2:
            raise InvalidApiKey("Send the key as 'Authorization: Bearer <key>'.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidApiKey("The API key is malformed.") from None
        try:
            return api_key_authenticate_metered(token=token, rate=api_key_rate())
        except ApiKeyRejected as rejected:
            raise InvalidApiKey(rejected.message) from None

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when the key is missing or wrong.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Document the bearer scheme in the OpenAPI schema."""

    target_class = "erp.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An entity API key: `ark_live_ent_…` (live) or `ark_test_ent_…` (test).",
        }
