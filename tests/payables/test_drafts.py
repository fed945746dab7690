"""Draft bills: saved unnumbered and unposted, edited and deleted, then posted with the number taken last
(docs/payables.md, "Drafts")."""

from decimal import Decimal

import pytest

from erp.exceptions import RuleViolation
from ledger.models import JournalEntry
from numbering.models import IssuedNumber
from payables.models import VendorBill, VendorBillLine
from payables.services import ApplicationInput, ap_payment_create
from tests.helpers import entries_for, error_of, posted_lines, refused, sql
from tests.payables.factories import VendorBillFactory

pytestmark = pytest.mark.django_db


def body(vendor, **fields) -> dict:
    return {
        "vendor_id": str(vendor.pk),
        "bill_date": "2026-03-02",
        "lines": [{"description": "Paper", "quantity": 4, "unit_price": "6.25"}],
        **fields,
    }


def test_a_draft_bill_takes_no_number_and_posts_nothing(api, vendor):
    response = api.post("/v1/vendor-bills", body(vendor, draft=True), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["number"], data["total"]) == ("draft", "", "25.00")
    assert not JournalEntry.objects.filter(entity=vendor.entity).exists()
    assert not IssuedNumber.objects.filter(document_id=data["id"]).exists()


def test_edit_then_post_numbers_it_and_posts_expense_against_payables(api, vendor):
    draft = api.post("/v1/vendor-bills", body(vendor, draft=True), format="json").json()
    patch = {"lines": [{"description": "Toner", "unit_price": "89.90"}], "due_date": "2026-04-01"}
    edited = api.patch(f"/v1/vendor-bills/{draft['id']}", patch, format="json")
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["total"], edited.json()["due_date"]) == ("89.90", "2026-04-01")
    posted = api.post(f"/v1/vendor-bills/{draft['id']}/post", format="json")
    assert posted.status_code == 200, posted.json()
    assert posted.json()["status"] == "open" and posted.json()["number"]
    [entry] = entries_for("vendor_bill", draft["id"])
    assert posted_lines(entry) == [
        ("expense", Decimal("89.90"), 0),
        ("accounts_payable", 0, Decimal("89.90")),
    ]
    again = api.post(f"/v1/vendor-bills/{draft['id']}/post", format="json")
    assert error_of(again) == (409, "already_posted", None)


def test_a_posted_bill_refuses_patch_and_delete_and_a_draft_is_deleted(api, vendor):
    posted = api.post("/v1/vendor-bills", body(vendor), format="json").json()
    assert error_of(api.patch(f"/v1/vendor-bills/{posted['id']}", {"due_date": None}, format="json")) == (
        409,
        "document_posted",
        None,
    )
    assert error_of(api.delete(f"/v1/vendor-bills/{posted['id']}")) == (409, "document_posted", None)
    draft = api.post("/v1/vendor-bills", body(vendor, draft=True), format="json").json()
    assert api.delete(f"/v1/vendor-bills/{draft['id']}").status_code == 204
    assert not VendorBill.objects.filter(pk=draft["id"]).exists()
    assert not VendorBillLine.objects.filter(bill_id=draft["id"]).exists()


def test_a_draft_bill_is_not_voided(api, vendor):
    draft = api.post("/v1/vendor-bills", body(vendor, draft=True), format="json").json()
    voided = api.post(f"/v1/vendor-bills/{draft['id']}/void", {"reason": "x"}, format="json")
    assert error_of(voided) == (409, "document_is_draft", None)
    assert VendorBill.objects.get(pk=draft["id"]).status == "draft"


def test_no_ap_payment_applies_to_a_draft(api, vendor):
    draft = api.post("/v1/vendor-bills", body(vendor, draft=True), format="json").json()
    with pytest.raises(RuleViolation) as raised:
        ap_payment_create(
            entity=vendor.entity,
            vendor_id=vendor.pk,
            method="ach",
            amount="10.00",
            applications=[ApplicationInput(document_id=draft["id"], amount_applied="10.00")],
        )
    assert raised.value.code == "document_not_open"


def test_the_database_keeps_drafts_unposted_and_posted_bills_posted(api, vendor):
    draft = VendorBill.objects.get(
        pk=api.post("/v1/vendor-bills", body(vendor, draft=True), format="json").json()["id"]
    )
    posted = VendorBillFactory(vendor=vendor)
    with refused("vendor_bill_draft_unposted"):
        VendorBill.objects.filter(pk=draft.pk).update(number="VB-X")
    with refused("vendor_bill_posted_stays_posted"):
        sql("UPDATE payables_vendorbill SET status = 'draft' WHERE id = %s", [posted.pk])
    with refused("vendor_bill_line_append_only"):
        sql("DELETE FROM payables_vendorbillline WHERE bill_id = %s", [posted.pk])
    with refused("vendor_bill_total_matches_lines"):
        sql("DELETE FROM payables_vendorbillline WHERE bill_id = %s", [draft.pk])
    with refused("vendor_bill_numbered"):
        sql(
            "UPDATE payables_vendorbill SET status = 'open', journal_entry_id = %s WHERE id = %s",
            [posted.journal_entry_id, draft.pk],
        )


def test_the_admin_saves_a_draft_bill_and_posts_it(admin_client, vendor):
    lines = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-description": "Paper",
        "lines-0-quantity": "4",
        "lines-0-unit_price": "6.25",
    }
    header = {"vendor": vendor.pk, "bill_date": "2026-03-02", "due_date": "", "vendor_reference": "NW-9"}
    added = admin_client.post(
        "/admin/payables/vendorbill/add/", header | lines | {"_save_draft": "Save as draft"}
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    draft = VendorBill.objects.get()
    assert (draft.status, draft.number) == ("draft", "")
    [line] = draft.lines.all()
    kept = lines | {"lines-INITIAL_FORMS": "1", "lines-0-id": line.pk, "lines-0-bill": draft.pk}
    url = f"/admin/payables/vendorbill/{draft.pk}/change/"
    posted = admin_client.post(url, header | kept | {"_post_draft": "Save and post"})
    assert posted.status_code == 302, posted.content.decode()[:3000]
    draft.refresh_from_db()
    assert draft.status == "open" and draft.number and draft.total == Decimal("25.00")
