"""`/`: the home dashboard. Signed out it sends to the admin login; signed in it shows each of the
user's entities with figures equal to the reports', an SVG chart and the numbering's health."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from erp.models import Entity, Membership
from ledger.reports.aging import aging_report
from ledger.reports.balances import control_balance
from ledger.reports.dashboard import audit_cache_key
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger
from numbering.services import sequence_issue_next
from payables.services import LineInput as BillLine
from payables.services import vendor_bill_create
from tests.helpers import sql
from tests.numbering.factories import SequenceFactory
from tests.payables.factories import VendorCreditFactory, VendorFactory
from tests.receivables.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def today():
    """Return today (a module constant would be stale once a run passes midnight)."""
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def figure(page: str, name: str) -> str:
    marker = f'data-figure="{name}" data-amount="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def bill(vendor, total, *, due):
    return vendor_bill_create(
        entity=vendor.entity,
        vendor_id=vendor.pk,
        bill_date=today() - days(40),
        due_date=due,
        lines=[BillLine(description="Goods", unit_price=total)],
    )


@pytest.fixture
def books(entity):
    customer = CustomerFactory(entity=entity, name="Acme")
    InvoiceFactory(
        customer=customer, amount="100.00", invoice_date=today() - days(60), due_date=today() - days(30)
    )
    InvoiceFactory(customer=customer, amount="25.00", invoice_date=today(), due_date=today() + days(30))
    vendor = VendorFactory(entity=entity, name="Northwind")
    bill(vendor, "40.00", due=today())  # due today: due soon
    bill(vendor, "60.00", due=today() + days(7))  # the last day of the week ahead
    bill(vendor, "80.00", due=today() + days(8))  # after it
    bill(vendor, "10.00", due=today() - days(1))  # overdue, not "due soon"
    VendorCreditFactory(vendor=vendor, amount=Decimal("15.00"))
    return {"customer": customer, "vendor": vendor}


def test_signed_out_it_sends_to_the_admin_login_and_back(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/"


def test_a_signed_in_user_who_is_not_staff_is_sent_to_the_login(client):
    client.force_login(get_user_model().objects.create_user("customer", password="unused-password-1"))
    assert client.get("/")["Location"] == "/admin/login/?next=/"


def test_the_admins_view_site_link_leads_home(admin_client):
    assert 'href="/"' in admin_client.get("/admin/").content.decode()
    assert admin_client.get("/").status_code == 200


def test_the_figures_are_the_reports(admin_client, entity, books):
    page = admin_client.get("/").content.decode()
    ar = aging_report(subledger(RECEIVABLE), entity=entity, as_of=today())
    ap = aging_report(subledger(PAYABLE), entity=entity, as_of=today())
    assert figure(page, "ar-open") == str(ar.totals.total) == "125.00"
    assert ar.totals.total == control_balance(subledger(RECEIVABLE), entity=entity, as_of=today())
    assert figure(page, "ar-overdue") == "100.00"
    assert figure(page, "ap-due-soon") == "100.00"  # due today and in 7 days, not in 8, not overdue
    assert "Payable within 7 days (2 bills)" in page
    assert figure(page, "ap-overdue") == str(ap.totals.overdue) == "10.00"
    assert figure(page, "credits") == "15.00"
    assert f'id="home-entity-{entity.code}"' in page
    assert 'data-figure="ar-open" data-amount="125.00">125.00 USD</span>' in page


def test_the_chart_is_svg_drawn_on_the_server_and_the_page_runs_no_script(admin_client, books):
    page = admin_client.get("/").content.decode()
    chart = page[page.index("<svg xmlns") : page.index("</svg>", page.index("<svg xmlns"))]
    assert 'class="bar-ar"' in chart and 'class="bar-ap"' in chart
    assert "<title>Receivable 1–30 days: 100.00 USD</title>" in chart
    assert "<script>" not in page.replace('<script src="', "")  # no inline script (CSP)
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_other_entities_are_not_shown(client, entity, other_entity, books):
    CustomerFactory(entity=other_entity, name="Hidden customer")
    user = get_user_model().objects.create_user("member", password="unused-password-1", is_staff=True)
    Membership.objects.create(user=user, entity=entity, role="viewer")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert f'id="home-entity-{entity.code}"' in page
    assert other_entity.code not in page and other_entity.name not in page


def test_a_staff_user_of_no_entity_is_told_so(client):
    client.force_login(
        get_user_model().objects.create_user("lonely", password="unused-password-1", is_staff=True)
    )
    assert 'id="home-empty"' in client.get("/").content.decode()


def test_numbering_health_shows_the_audit_and_sequences_near_their_end(admin_client, entity):
    page = admin_client.get("/").content.decode()
    assert 'data-health="audit-ok"' in page and 'data-health="no-sequence-near-end"' in page
    low = SequenceFactory(entity=entity, name="Receipts", ending_number=10, warning_threshold=3)
    with transaction.atomic():
        for _ in range(8):
            sequence_issue_next(sequence=low, document_type="test")
    page = admin_client.get("/").content.decode()
    assert 'data-health="near-end"' in page and "Receipts</a>: 2 numbers left in this period." in page


def test_a_gap_in_the_numbers_shows_on_the_home_page(admin_client, entity):
    sequence = SequenceFactory(entity=entity, name="Gappy")
    with transaction.atomic():
        sequence_issue_next(sequence=sequence, document_type="test")
    # Played around the services: the counter jumps with no number issued and no event recorded.
    sql(
        "UPDATE numbering_numberingperiod SET last_value = last_value + 3 WHERE sequence_id = %s",
        [sequence.pk],
    )
    page = admin_client.get("/").content.decode()
    assert 'data-health="audit-gaps"' in page and ">Gappy</a>" in page


def test_the_home_page_only_answers_reads(admin_client):
    assert admin_client.post("/").status_code == 405


def test_after_login_the_demo_books_are_on_the_home_page_as_in_the_ledger(client):
    out = StringIO()
    call_command("load_demo", "--json", stdout=out)
    demo = json.loads(out.getvalue())
    # The newcomer's path: / sends to the login, which sends back to / (the dashboard).
    login = client.get("/")["Location"]
    landed = client.post(login, {"username": demo["admin_username"], "password": demo["admin_password"]})
    assert landed.status_code == 302 and landed["Location"] == "/"
    page = client.get("/").content.decode()
    entity = Entity.objects.get(code="demo")
    receivable = control_balance(subledger(RECEIVABLE), entity=entity, as_of=today())
    assert receivable > 0 and figure(page, "ar-open") == str(receivable)
    payable = aging_report(subledger(PAYABLE), entity=entity, as_of=today()).totals.total
    assert payable == control_balance(subledger(PAYABLE), entity=entity, as_of=today())


def test_links_to_reports_are_offered_only_with_the_permission_to_open_them(client, entity, books):
    user = get_user_model().objects.create_user("member", password="unused-password-1", is_staff=True)
    Membership.objects.create(user=user, entity=entity, role="viewer")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert figure(page, "ar-open") == "125.00"
    assert "/admin/ledger/account/ar-aging/" not in page
    user.user_permissions.add(Permission.objects.get(codename="view_account"))
    assert "/admin/ledger/account/ar-aging/" in client.get("/").content.decode()


def test_the_audit_outcome_is_reused_for_five_minutes(admin_client, entity):
    sequence = SequenceFactory(entity=entity, name="Gappy")
    with transaction.atomic():
        sequence_issue_next(sequence=sequence, document_type="test")
    assert 'data-health="audit-ok"' in admin_client.get("/").content.decode()
    sql(
        "UPDATE numbering_numberingperiod SET last_value = last_value + 3 WHERE sequence_id = %s",
        [sequence.pk],
    )
    assert 'data-health="audit-ok"' in admin_client.get("/").content.decode()  # the audit of a moment ago
    cache.delete(audit_cache_key(entity))  # as five minutes passing would
    assert 'data-health="audit-gaps"' in admin_client.get("/").content.decode()


def test_the_page_reads_no_more_for_more_sequences_or_documents(admin_client, entity, books):
    def queries() -> int:
        admin_client.get("/")  # the audit's outcome is cached after the first visit
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/").status_code == 200
        return len(captured)

    SequenceFactory(entity=entity, name="Bounded 0", ending_number=1000)
    before = queries()
    for n in range(1, 6):
        SequenceFactory(
            entity=entity, name=f"Bounded {n}", ending_number=1000, reset="month", format="B{yyyy}{MM}-{i4}"
        )
        InvoiceFactory(customer=books["customer"], amount="5.00", invoice_date=today(), due_date=today())
    assert queries() == before
