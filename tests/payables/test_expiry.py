"""expire_vendor_credits: credits past expires_at are written off once, with their posting."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from erp.services.lock_date import entity_lock_date_set
from payables.models import VendorCredit
from payables.services import ApplicationInput, ap_payment_create
from tests.helpers import entries_for, posted_lines
from tests.payables.factories import (
    VendorBillFactory,
    VendorCreditFactory,
    VendorFactory,
    clock_at,
    expired_credit,
)

pytestmark = pytest.mark.django_db


def run(*args) -> dict:
    out = io.StringIO()
    call_command("expire_vendor_credits", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_expires_open_and_partially_applied_credits_past_their_date(entity, vendor):
    open_one = expired_credit(vendor, "50.00", ago=datetime.timedelta(days=1))
    # Issued yesterday to expire two hours ago, and spent from before it expired.
    expires_at = timezone.now() - datetime.timedelta(hours=2)
    with clock_at(expires_at - datetime.timedelta(days=1)):
        spent_some = VendorCreditFactory(vendor=vendor, amount=Decimal("40.00"), expires_at=expires_at)
        ap_payment_create(
            entity=entity,
            vendor_id=vendor.pk,
            method="ach",
            amount=0,
            applications=[
                ApplicationInput(document_id=VendorBillFactory(vendor=vendor).pk, amount_applied="15.00")
            ],
            vendor_credit_ids=[spent_some.pk],
        )
    never = VendorCreditFactory(vendor=vendor, expires_at=None)
    later = VendorCreditFactory(vendor=vendor, expires_at=timezone.now() + datetime.timedelta(days=3))

    assert run()["expired"] == 2

    open_one.refresh_from_db()
    spent_some.refresh_from_db()
    assert (open_one.status, open_one.remaining_amount, open_one.expired_amount) == (
        "expired",
        Decimal("0.00"),
        Decimal("50.00"),
    )
    assert (spent_some.status, spent_some.expired_amount) == ("expired", Decimal("25.00"))
    assert VendorCredit.objects.get(pk=never.pk).status == "open"
    assert VendorCredit.objects.get(pk=later.pk).status == "open"
    (entry,) = entries_for("vendor_credit_expiry", spent_some.pk)
    assert spent_some.expiry_journal_entry == entry
    assert entry.number.startswith("JE")
    # Dated on the expiry day (the credit was posted the day before).
    assert entry.date == timezone.localdate(spent_some.expires_at) > spent_some.journal_entry.date
    assert posted_lines(entry) == [
        ("vendor_credits", Decimal("25.00"), Decimal("0.00")),
        ("vendor_returns_receivable", Decimal("0.00"), Decimal("25.00")),
    ]


def test_running_again_expires_nothing_more(vendor):
    credit = expired_credit(vendor, ago=datetime.timedelta(days=1))
    assert run()["expired"] == 1
    assert run()["expired"] == 0
    assert len(entries_for("vendor_credit_expiry", credit.pk)) == 1


def test_as_of_expires_only_what_had_expired_by_then(vendor):
    old = expired_credit(vendor, ago=datetime.timedelta(days=10))
    recent = expired_credit(vendor, ago=datetime.timedelta(hours=1))
    five_days_ago = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert run("--as-of", five_days_ago)["expired"] == 1
    assert VendorCredit.objects.get(pk=old.pk).status == "expired"
    assert VendorCredit.objects.get(pk=recent.pk).status == "open"


def test_the_entity_option_limits_the_sweep(entity, other_entity, vendor):
    mine = expired_credit(vendor, ago=datetime.timedelta(days=1))
    theirs = expired_credit(VendorFactory(entity=other_entity), ago=datetime.timedelta(days=1))
    assert run("--entity", entity.code)["expired"] == 1
    assert VendorCredit.objects.get(pk=mine.pk).status == "expired"
    assert VendorCredit.objects.get(pk=theirs.pk).status == "open"


def test_text_output(vendor):
    expired_credit(vendor, ago=datetime.timedelta(days=1))
    out = io.StringIO()
    call_command("expire_vendor_credits", stdout=out)
    assert out.getvalue().startswith("Expired 1 vendor credit(s) as of ")


@pytest.mark.parametrize(
    "as_of, message", [("2999-01-01", "as_of_in_future"), ("someday", "parameter_invalid")]
)
def test_bad_as_of_fails_cleanly(as_of, message):
    with pytest.raises(CommandError, match=message):
        call_command("expire_vendor_credits", "--as-of", as_of)


def test_a_credit_that_expired_in_a_period_since_closed_is_written_off_in_the_open_one(entity, vendor):
    # The sweep ran late (or was down) and the month was closed meanwhile: the write-off goes to the
    # first open day, as a void's reversal does, and the credits after it still expire.
    stale = expired_credit(vendor, "50.00", ago=datetime.timedelta(days=10))
    fresh = expired_credit(vendor, "20.00", ago=datetime.timedelta(minutes=5))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    entity_lock_date_set(entity=entity, lock_date=yesterday, set_by="test")

    assert run()["expired"] == 2

    (entry,) = entries_for("vendor_credit_expiry", stale.pk)
    assert entry.date == yesterday + datetime.timedelta(days=1)
    assert VendorCredit.objects.get(pk=stale.pk).expired_amount == Decimal("50.00")
    assert VendorCredit.objects.get(pk=fresh.pk).status == "expired"


def test_when_today_is_closed_the_sweep_leaves_the_credit_and_goes_on(entity, other_entity):
    # Nothing can post in this entity until the lock date moves; the other entity's credits still expire.
    stuck = expired_credit(VendorFactory(entity=entity), ago=datetime.timedelta(days=3))
    elsewhere = expired_credit(VendorFactory(entity=other_entity), ago=datetime.timedelta(days=2))
    entity_lock_date_set(entity=entity, lock_date=timezone.localdate(), set_by="test")

    assert run()["expired"] == 1

    assert VendorCredit.objects.get(pk=stuck.pk).status == "open"
    assert VendorCredit.objects.get(pk=elsewhere.pk).status == "expired"
