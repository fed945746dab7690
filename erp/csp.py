"""The Content-Security-Policy header: django-csp's middleware, with the usual policy built once per process.

django-csp builds the header on every response: it deep-copies the settings' directives (dataclasses.asdict)
and joins them, twice (the policy and its report-only twin): ≈ 200,000 instructions, a sixth of what
`/healthz` costs in process (docs/benchmarks.md, "The fifth pass"). A response that asks for nothing of
its own (no nonce read, no @csp_update/@csp_replace/@csp decorator) gets the policy the settings give, so
that text is built once and reused until a setting changes. Any other response goes through django-csp
unchanged.
"""

import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view may set on its response to change its policy (csp.decorators); any of them: django-csp decides.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)

# (header, setting name) → the policy text the settings give, or "" for none; filled on first use.
_SETTINGS_POLICIES: dict[tuple[str, str], str] = {}
_POLICIES = (
    (HEADER, "CONTENT_SECURITY_POLICY", False, "_csp_exempt"),
    (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True, "_csp_exempt_ro"),
)


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs) -> None:
    """Rebuild the policies after a test's override_settings changes them."""
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _SETTINGS_POLICIES.clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's CSPMiddleware; a response that changes nothing of the policy reuses the settings' text."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for header, setting, report_only, exempt in _POLICIES:
            policy = _SETTINGS_POLICIES.get((header, setting))
            if policy is None:
                policy = _SETTINGS_POLICIES[(header, setting)] = build_policy(report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: reading request.csp_nonce once the header is written raises, never passes silently.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
