"""Closed periods: nothing posts on or before an entity's lock date (docs/posting.md, "Closed periods")."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from erp.exceptions import RuleViolation
from erp.models import Entity
from erp.models.activity import Activity
from erp.services.lock_date import entity_lock_date_set
from erp.services.memberships import membership_grant
from ledger.models import JournalEntry
from ledger.services import journal_entry_number, journal_entry_post, journal_entry_record
from payables.services import LineInput, ap_payment_create, vendor_credit_issue
from receivables.services import (
    ApplicationInput,
    InvoiceLineInput,
    invoice_create,
    invoice_void,
    payment_apply_to_invoices,
)
from tests.helpers import command_output, error_of, refused, sql
from tests.payables.factories import VendorBillFactory
from tests.receivables.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

MARCH_31 = datetime.date(2026, 3, 31)


def locked(entity, through=MARCH_31) -> Entity:
    """Close `entity`'s books through `through`; return the fresh entity."""
    return entity_lock_date_set(entity=entity, lock_date=through, set_by="test")


def refusal(call) -> RuleViolation:
    with pytest.raises(RuleViolation) as raised:
        call()
    return raised.value


class TestSettingTheLockDate:
    def test_patch_sets_and_clears_it_with_accounting_write(self, entity, make_client):
        client = make_client(entity, scopes=["accounting:write"])
        response = client.patch(f"/v1/entities/{entity.pk}", {"lock_date": "2026-03-31"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["lock_date"] == "2026-03-31"
        assert Entity.objects.get(pk=entity.pk).lock_date == MARCH_31
        [logged] = Activity.objects.filter(entity=entity, action="entity.updated")
        assert (logged.channel, logged.changes) == ("api", {"lock_date": [None, "2026-03-31"]})
        reopened = client.patch(f"/v1/entities/{entity.pk}", {"lock_date": None}, format="json")
        assert reopened.json()["lock_date"] is None
        assert Entity.objects.get(pk=entity.pk).lock_date is None

    def test_patch_needs_the_accounting_write_scope(self, entity, make_client):
        client = make_client(entity, scopes=["accounting:read", "payments:write"])
        response = client.patch(f"/v1/entities/{entity.pk}", {"lock_date": "2026-03-31"}, format="json")
        assert error_of(response) == (403, "insufficient_scope", None)
        assert response.json()["error"]["required"] == "accounting:write"
        assert Entity.objects.get(pk=entity.pk).lock_date is None

    def test_patch_of_another_entity_is_refused(self, entity, other_entity, make_client):
        client = make_client(entity, scopes=["accounting:write"])
        response = client.patch(f"/v1/entities/{other_entity.pk}", {"lock_date": "2026-03-31"}, format="json")
        assert response.status_code == 403
        assert Entity.objects.get(pk=other_entity.pk).lock_date is None

    def test_a_future_lock_date_or_an_unknown_field_is_refused(self, entity, make_client):
        client = make_client(entity, scopes=["accounting:write"])
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        future = client.patch(f"/v1/entities/{entity.pk}", {"lock_date": tomorrow}, format="json")
        assert error_of(future) == (422, "lock_date_in_future", "lock_date")
        ancient = client.patch(f"/v1/entities/{entity.pk}", {"lock_date": "1899-12-31"}, format="json")
        assert error_of(ancient) == (422, "date_out_of_range", "lock_date")
        unknown = client.patch(f"/v1/entities/{entity.pk}", {"name": "Renamed"}, format="json")
        assert error_of(unknown) == (400, "unknown_parameter", "name")
        assert Entity.objects.get(pk=entity.pk).lock_date is None

    def test_admin_sets_it_only_with_the_permission(self, entity, client):
        user = get_user_model().objects.create_user("clerk", password="unused-password-1", is_staff=True)
        user.user_permissions.add(
            Permission.objects.get(codename="change_entity"), Permission.objects.get(codename="view_entity")
        )
        membership_grant(user=user, entity=entity, role="admin")
        client.force_login(user)
        url = f"/admin/erp/entity/{entity.pk}/change/"
        form = {"name": entity.name, "vendor_credit_expiry_days": "", "lock_date": "2026-03-31"}
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="lock_date"' not in page.content.decode()  # shown read-only
        client.post(url, form)
        assert Entity.objects.get(pk=entity.pk).lock_date is None

        user.user_permissions.add(Permission.objects.get(codename="set_lock_date"))
        user = get_user_model().objects.get(pk=user.pk)  # permissions are cached per instance
        client.force_login(user)
        assert 'name="lock_date"' in client.get(url).content.decode()
        response = client.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Entity.objects.get(pk=entity.pk).lock_date == MARCH_31


class TestTheCommand:
    def test_set_lock_date_closes_and_reopens(self, entity):
        output = command_output("set_lock_date", "--entity", entity.code, "--date", "2026-03-31", "--json")
        assert json.loads(output)["lock_date"] == "2026-03-31"
        assert Entity.objects.get(pk=entity.pk).lock_date == MARCH_31
        assert "no period is closed" in command_output(
            "set_lock_date", "--entity", str(entity.pk), "--date", "none"
        )
        assert Entity.objects.get(pk=entity.pk).lock_date is None

    def test_bad_input_is_one_line_and_writes_nothing(self, entity):
        with pytest.raises(CommandError, match=r"\[parameter_invalid\]"):
            command_output("set_lock_date", "--entity", entity.code, "--date", "31/03/2026")
        with pytest.raises(CommandError, match=r"\[lock_date_in_future\]"):
            command_output("set_lock_date", "--entity", entity.code, "--date", "2999-01-01")
        assert Entity.objects.get(pk=entity.pk).lock_date is None


class TestPostingIntoAClosedPeriod:
    def test_an_invoice_on_or_before_the_lock_date_is_refused(self, customer):
        entity = locked(customer.entity)
        lines = [InvoiceLineInput(description="Work", unit_price="10.00")]
        for day in (MARCH_31, datetime.date(2026, 1, 5)):
            error = refusal(
                lambda day=day: invoice_create(
                    entity=entity, customer_id=customer.pk, invoice_date=day, lines=lines
                )
            )
            assert (error.code, error.param) == ("period_locked", "invoice_date")
        invoice = invoice_create(
            entity=entity, customer_id=customer.pk, invoice_date=datetime.date(2026, 4, 1), lines=lines
        )
        assert invoice.number

    def test_the_api_answers_422_period_locked(self, entity, customer, api):
        locked(entity)
        body = {
            "customer_id": str(customer.pk),
            "invoice_date": "2026-03-31",
            "lines": [{"description": "Work", "unit_price": "10.00"}],
        }
        response = api.post("/v1/invoices", body, format="json")
        assert error_of(response) == (422, "period_locked", "invoice_date")
        assert not JournalEntry.objects.filter(entity=entity).exists()

    def test_bills_payments_and_ap_payments_are_refused(self, entity, customer, vendor):
        invoice = InvoiceFactory(customer=customer, invoice_date=datetime.date(2026, 4, 2))
        bill = VendorBillFactory(vendor=vendor, bill_date=datetime.date(2026, 4, 2))
        entity = locked(entity)
        vendor.entity = entity
        bill_error = refusal(lambda: VendorBillFactory(vendor=vendor, bill_date=MARCH_31, total="5.00"))
        assert (bill_error.code, bill_error.param) == ("period_locked", "bill_date")
        payment_error = refusal(
            lambda: payment_apply_to_invoices(
                entity=entity,
                customer_id=customer.pk,
                payment_method="ach",
                amount="10.00",
                applications=[ApplicationInput(document_id=invoice.pk, amount_applied="10.00")],
                payment_date=MARCH_31,
            )
        )
        assert (payment_error.code, payment_error.param) == ("period_locked", "payment_date")
        ap_error = refusal(
            lambda: ap_payment_create(
                entity=entity,
                vendor_id=vendor.pk,
                method="ach",
                amount="10.00",
                applications=[ApplicationInput(document_id=bill.pk, amount_applied="10.00")],
                payment_date=datetime.date(2026, 2, 1),
            )
        )
        assert (ap_error.code, ap_error.param) == ("period_locked", "payment_date")

    def test_a_credit_issued_today_is_refused_once_today_is_closed(self, vendor):
        entity = locked(vendor.entity, timezone.localdate())
        error = refusal(lambda: vendor_credit_issue(entity=entity, vendor_id=vendor.pk, amount="5.00"))
        assert error.code == "period_locked"

    def test_a_void_reverses_in_the_open_period_and_is_refused_when_today_is_closed(self, customer):
        first = InvoiceFactory(customer=customer, invoice_date=datetime.date(2026, 3, 2))
        second = InvoiceFactory(customer=customer, invoice_date=datetime.date(2026, 3, 3))
        locked(customer.entity)
        voided = invoice_void(invoice=first, reason="Duplicate", voided_by="test")
        assert voided.void_journal_entry.date == timezone.localdate()  # after the lock date: allowed
        locked(customer.entity, timezone.localdate())
        error = refusal(lambda: invoice_void(invoice=second, reason="Duplicate", voided_by="test"))
        assert error.code == "period_locked"
        assert JournalEntry.objects.filter(reversal_of=second.journal_entry).count() == 0


class TestTheDatabaseGuard:
    def test_an_entry_dated_in_a_closed_period_is_refused_even_around_the_service(self, entity):
        locked(entity)
        now = timezone.now()
        with refused("period_locked"):
            JournalEntry.objects.create(entity=entity, date=MARCH_31, posted_at=timezone.now())
        with refused("period_locked"):
            JournalEntry.objects.create(entity=entity, date=datetime.date(2026, 1, 1), posted_at=now)
        with refused(match="at least one debit"):  # the day after is open: refused only for its lines
            JournalEntry.objects.create(entity=entity, date=datetime.date(2026, 4, 1), posted_at=now)

    def test_an_entry_written_before_the_lock_is_refused_when_numbered_after_it(self, entity):
        # An entry still being written when the lock date is set is judged when its number is taken.
        lines = [("cash", "10.00", 0), ("revenue", 0, "10.00")]
        with pytest.raises(RuleViolation) as raised, transaction.atomic():
            entry = journal_entry_record(entity=entity, date=MARCH_31, memo="Late", lines=lines)
            sql("UPDATE erp_entity SET lock_date = %s WHERE id = %s", [MARCH_31, entity.pk])
            journal_entry_number(entry=entry)
        assert raised.value.code == "period_locked"
        with refused("period_locked"):
            entry = journal_entry_record(entity=entity, date=MARCH_31, memo="Late", lines=lines)
            sql("UPDATE erp_entity SET lock_date = %s WHERE id = %s", [MARCH_31, entity.pk])
            sql("UPDATE erp_journalentry SET number = 'JE-X' WHERE id = %s", [entry.pk])

    def test_a_stale_entity_still_gets_period_locked(self, entity, vendor):
        # `vendor.entity` was loaded before the lock date was set: the database refuses, the same code.
        locked(entity)
        error = refusal(lambda: VendorBillFactory(vendor=vendor, bill_date=MARCH_31, total="5.00"))
        assert error.code == "period_locked"

    def test_the_service_refuses_before_writing(self, entity):
        entity = locked(entity)
        lines = [("cash", "10.00", 0), ("revenue", 0, "10.00")]
        error = refusal(
            lambda: journal_entry_post(
                entity=entity,
                date=MARCH_31,
                memo="x",
                lines=lines,
                source_type="",
                source_id="",
                posted_by="t",
            )
        )
        assert (error.code, error.param) == ("period_locked", "date")
        assert not JournalEntry.objects.filter(entity=entity).exists()


def test_lines_are_unchanged_by_the_lock(customer):
    """Reopening (lock_date None) lets the same posting through."""
    entity = locked(customer.entity)
    lines = [LineInput(description="Work", unit_price="1.00")]
    with pytest.raises(RuleViolation):
        invoice_create(entity=entity, customer_id=customer.pk, invoice_date=MARCH_31, lines=lines)
    entity = entity_lock_date_set(entity=entity, lock_date=None)
    assert invoice_create(entity=entity, customer_id=customer.pk, invoice_date=MARCH_31, lines=lines).number
