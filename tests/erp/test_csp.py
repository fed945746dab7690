"""Content Security Policy: no inline script runs in the admin; /docs/ runs only its nonced one."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.exceptions import CSPNonceError
from csp.utils import build_policy
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from erp.csp import ContentSecurityPolicyMiddleware
from erp.services.api_keys import api_key_create
from numbering.services import sequence_issue_next
from payables.services import ApplicationInput as BillApplication
from payables.services import ap_payment_create
from receivables.services import ApplicationInput, payment_apply_to_invoices
from tests.numbering.factories import SequenceFactory
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db


class ScriptAudit(HTMLParser):
    """Collect what a page would run inline: scripts without src, on* handlers, javascript: links."""

    def __init__(self):
        super().__init__()
        self.inline_scripts: list[dict] = []
        self.handlers: list[str] = []
        self.script_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self.inline_scripts.append(attributes)
        self.handlers += [f"<{tag} {name}=…>" for name, _ in attrs if name.startswith("on")]
        self.script_links += [
            value for name, value in attrs if name in ("href", "action", "src") and _is_javascript_url(value)
        ]


def _is_javascript_url(value) -> bool:
    return bool(value) and re.sub(r"\s", "", value).lower().startswith("javascript:")


def script_src(response) -> list[str]:
    """Return the sources the response's CSP allows scripts from."""
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return directives.get("script-src", directives.get("default-src", "")).split()


def assert_no_inline_script(url: str, response) -> None:
    """Assert the page's CSP refuses inline scripts and that the page needs none."""
    assert response.status_code == 200, (url, response.status_code)
    assert "'unsafe-inline'" not in script_src(response), url
    assert "'unsafe-eval'" not in script_src(response), url
    audit = ScriptAudit()
    audit.feed(response.content.decode())
    assert audit.inline_scripts == [], (url, audit.inline_scripts)
    assert audit.handlers == [], (url, audit.handlers)
    assert audit.script_links == [], (url, audit.script_links)


@pytest.fixture
def every_kind_of_row(entity, customer, invoices, vendor):
    """At least one row of every model the admin lists, so every change and history page exists."""
    bill = VendorBillFactory(vendor=vendor, total=Decimal("80.00"))
    credit = VendorCreditFactory(vendor=vendor)
    with transaction.atomic():
        sequence_issue_next(sequence=SequenceFactory(entity=entity), document_type="test")
    payment_apply_to_invoices(
        entity=entity,
        customer_id=customer.pk,
        payment_method="cash",
        amount="10.00",
        applications=[ApplicationInput(document_id=invoices[0].pk, amount_applied="10.00")],
    )
    ap_payment_create(
        entity=entity,
        vendor_id=vendor.pk,
        method="ach",
        amount="20.00",
        applications=[BillApplication(document_id=bill.pk, amount_applied="20.00")],
    )
    api_key_create(entity=entity, scopes=["numbering:read"], name="listed")
    return {"entity": entity, "customer": customer, "vendor": vendor, "credit": credit}


def admin_pages(rows) -> list[str]:
    """Every admin page a GET reaches: index, app lists, each model's list, add, change and history
    pages, and each admin's own pages (those of one object for its first row)."""
    urls = ["/admin/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse("admin:app_list", args=[opts.app_label]), reverse(f"{name}_changelist")]
        urls.append(reverse(f"{name}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{name}_change", args=[first.pk]), reverse(f"{name}_history", args=[first.pk])]
        for route, _, suffix in getattr(model_admin, "pages", []):
            if "<" not in route:
                urls.append(reverse(f"{name}_{suffix}"))
            elif first is not None:
                urls.append(reverse(f"{name}_{suffix}", args=[first.pk]))
    # The accountant's pages once a party or an entity is chosen.
    urls += [
        f"{reverse('admin:receivables_payment_receive')}?customer={rows['customer'].pk}",
        f"{reverse('admin:payables_appayment_pay_bills')}?vendor={rows['vendor'].pk}",
        f"{reverse('admin:payables_vendorcredit_issue')}?vendor={rows['vendor'].pk}",
        f"{reverse('admin:ledger_account_trial_balance')}?entity={rows['entity'].pk}",
    ]
    return list(dict.fromkeys(urls))


def test_every_admin_page_runs_no_inline_script_and_its_csp_allows_none(admin_client, every_kind_of_row):
    checked = 0
    for url in admin_pages(every_kind_of_row):
        response = admin_client.get(url)
        if response.status_code == 403:
            continue  # a page the superuser may not add from (read-only rows): nothing rendered
        if not response["Content-Type"].startswith("text/html"):
            continue  # the sequence preview answers JSON
        assert_no_inline_script(url, response)
        checked += 1
    assert checked > 60


def test_the_pages_answering_a_post_run_no_inline_script(admin_client, every_kind_of_row):
    add_page = admin_client.get("/admin/erp/apikey/add/").content.decode()
    once = re.search(r'name="once" value="([\w-]+)"', add_page).group(1)
    created = admin_client.post(
        "/admin/erp/apikey/add/",
        {
            "entity": every_kind_of_row["entity"].pk,
            "scopes": ["numbering:read"],
            "livemode": "on",
            "once": once,
        },
    )
    assert "new-api-key-token" in created.content.decode()
    assert_no_inline_script("API key token page", created)

    credit = every_kind_of_row["credit"]
    asked = admin_client.post(
        "/admin/payables/vendorcredit/", {"action": "void_selected", "_selected_action": [credit.pk]}
    )
    assert "The reversing entry it posts" in asked.content.decode()
    assert_no_inline_script("void reason page", asked)


def test_the_login_page_runs_no_inline_script(client):
    assert_no_inline_script("/admin/login/", client.get("/admin/login/"))


def test_the_api_docs_run_only_their_own_nonced_start_up_script(client):
    response = client.get("/docs/")
    assert response.status_code == 200
    sources = script_src(response)
    assert "'unsafe-inline'" not in sources
    (nonce,) = [source[len("'nonce-") : -1] for source in sources if source.startswith("'nonce-")]
    audit = ScriptAudit()
    audit.feed(response.content.decode())
    assert [script.get("nonce") for script in audit.inline_scripts] == [nonce]
    assert audit.handlers == []


def _policy(response) -> dict[str, list[str]]:
    """Return a CSP header as {directive: sources}, whatever order the directives came in."""
    parts = (part.strip().split() for part in response.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


def _middleware_response(rf, *, status=200, path="/v1/entities", **attributes):
    """Run a response through the CSP middleware as Django would; return the request and the response."""
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    response = HttpResponse(status=status)
    for name, value in attributes.items():
        setattr(response, name, value)
    request = rf.get(path)
    return request, middleware(request)


def test_a_response_that_changes_nothing_gets_the_policy_django_csp_builds(rf):
    _, response = _middleware_response(rf)
    assert _policy(response[HEADER]) == _policy(build_policy())
    assert _policy(response[HEADER])["script-src"] == ["'self'"]  # no nonce unless the page asks for one
    assert HEADER_REPORT_ONLY not in response


def test_a_decorated_response_still_gets_its_own_policy(rf):
    _, updated = _middleware_response(rf, _csp_update={"img-src": ["https://img.example"]})
    assert _policy(updated[HEADER])["img-src"] == ["'self'", "data:", "https://img.example"]
    _, replaced = _middleware_response(rf, _csp_replace={"img-src": ["'none'"]})
    assert _policy(replaced[HEADER])["img-src"] == ["'none'"]
    _, plain = _middleware_response(rf)  # and the next plain response is not affected by either
    assert _policy(plain[HEADER])["img-src"] == ["'self'", "data:"]


def test_a_changed_setting_changes_the_policy(rf):
    _middleware_response(rf)  # builds the policy of the settings in force
    directives = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": directives},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"]}},
    ):
        _, response = _middleware_response(rf)
        assert _policy(response[HEADER]) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
        assert _policy(response[HEADER_REPORT_ONLY]) == {"default-src": ["'self'"]}
    _, after = _middleware_response(rf)
    assert _policy(after[HEADER]) == _policy(build_policy())
    assert HEADER_REPORT_ONLY not in after


def test_exempt_and_excluded_responses_get_no_header(rf):
    _, exempt = _middleware_response(rf, _csp_exempt=True)
    assert HEADER not in exempt
    excluded = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/v1/"]}
    with override_settings(CONTENT_SECURITY_POLICY=excluded):
        _, response = _middleware_response(rf, path="/v1/entities")
        assert HEADER not in response
        _, elsewhere = _middleware_response(rf, path="/admin/")
        assert HEADER in elsewhere


def test_the_nonce_cannot_be_read_once_the_header_is_written(rf):
    request, _ = _middleware_response(rf)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
