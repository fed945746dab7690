"""Draft invoices: saved unnumbered and unposted, edited and deleted, then posted with the number taken last
(docs/receivables.md, "Drafts")."""

import datetime
from decimal import Decimal

import pytest

from erp.exceptions import Conflict, RuleViolation
from erp.models.activity import Activity
from erp.services.lock_date import entity_lock_date_set
from ledger.models import JournalEntry
from numbering.models import IssuedNumber
from receivables.models import Invoice, InvoiceLine
from receivables.services import (
    ApplicationInput,
    InvoiceLineInput,
    invoice_create,
    invoice_delete,
    invoice_post,
    invoice_update,
    invoice_void,
    payment_apply_to_invoices,
)
from tests.helpers import entries_for, error_of, race, refused, sql
from tests.receivables.factories import CustomerFactory, InvoiceFactory

MARCH_2 = datetime.date(2026, 3, 2)


def draft_of(customer, *amounts: str, **fields) -> Invoice:
    lines = [
        InvoiceLineInput(description=f"Line {i}", unit_price=a) for i, a in enumerate(amounts or ["100.00"])
    ]
    return invoice_create(
        entity=customer.entity,
        customer_id=customer.pk,
        invoice_date=MARCH_2,
        lines=lines,
        draft=True,
        created_by="test",
        **fields,
    )


def body(customer, **fields) -> dict:
    return {
        "customer_id": str(customer.pk),
        "invoice_date": "2026-03-02",
        "lines": [{"description": "Consulting", "quantity": 2, "unit_price": "150.00"}],
        **fields,
    }


@pytest.mark.django_db
class TestDraftsThroughTheApi:
    def test_a_draft_takes_no_number_and_posts_nothing(self, api, customer):
        response = api.post("/v1/invoices", body(customer, draft=True), format="json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert (data["status"], data["number"], data["journal_entry_id"]) == ("draft", "", None)
        assert data["total"] == data["balance_due"] == "300.00"
        assert not JournalEntry.objects.filter(entity=customer.entity).exists()
        assert not IssuedNumber.objects.filter(document_id=data["id"]).exists()

    def test_without_draft_it_posts_at_once_as_before(self, api, customer):
        data = api.post("/v1/invoices", body(customer), format="json").json()
        assert data["status"] == "open" and data["number"] and data["journal_entry_id"]

    def test_patch_replaces_the_lines_and_the_fields_given(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True, notes="PO 1"), format="json").json()
        patch = {"lines": [{"description": "Audit", "unit_price": "80.00"}], "payment_terms_days": 30}
        response = api.patch(f"/v1/invoices/{draft['id']}", patch, format="json")
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["total"] == "80.00" and data["notes"] == "PO 1"
        assert [line["description"] for line in data["lines"]] == ["Audit"]
        assert (data["payment_terms_days"], data["due_date"]) == (30, "2026-04-01")
        assert InvoiceLine.objects.filter(invoice_id=draft["id"]).count() == 1

    def test_post_numbers_it_last_and_a_second_post_is_409(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        posted = api.post(f"/v1/invoices/{draft['id']}/post", format="json")
        assert posted.status_code == 200, posted.json()
        data = posted.json()
        assert data["status"] == "open" and data["number"] and data["journal_entry_id"]
        [entry] = entries_for("invoice", draft["id"])
        assert entry.number and entry.date == MARCH_2
        again = api.post(f"/v1/invoices/{draft['id']}/post", format="json")
        assert error_of(again) == (409, "already_posted", None)

    def test_each_step_of_a_draft_is_in_the_activity_log(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        api.patch(f"/v1/invoices/{draft['id']}", {"notes": "PO 7"}, format="json")
        api.post(f"/v1/invoices/{draft['id']}/post", format="json")
        rows = Activity.objects.filter(object_id=draft["id"]).order_by("occurred_at", "seq")
        assert [row.action for row in rows] == ["invoice.created", "invoice.updated", "invoice.posted"]
        assert rows[1].changes == {"notes": ["", "PO 7"]}
        other = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        api.delete(f"/v1/invoices/{other['id']}")
        assert Activity.objects.filter(object_id=other["id"], action="invoice.deleted").count() == 1

    def test_post_is_idempotent_under_an_idempotency_key(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        url = f"/v1/invoices/{draft['id']}/post"
        first = api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="post-once")
        replay = api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="post-once")
        assert first.status_code == replay.status_code == 200
        assert replay.json()["number"] == first.json()["number"]
        assert IssuedNumber.objects.filter(document_id=draft["id"]).count() == 1

    def test_posted_invoices_refuse_patch_and_delete(self, api, customer):
        data = api.post("/v1/invoices", body(customer), format="json").json()
        patched = api.patch(f"/v1/invoices/{data['id']}", {"notes": "x"}, format="json")
        assert error_of(patched) == (409, "document_posted", None)
        deleted = api.delete(f"/v1/invoices/{data['id']}")
        assert error_of(deleted) == (409, "document_posted", None)

    def test_delete_removes_a_draft_and_its_lines(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        response = api.delete(f"/v1/invoices/{draft['id']}")
        assert response.status_code == 204
        assert not Invoice.objects.filter(pk=draft["id"]).exists()
        assert not InvoiceLine.objects.filter(invoice_id=draft["id"]).exists()

    def test_a_draft_is_not_voided_and_unknown_patch_fields_are_refused(self, api, customer):
        draft = api.post("/v1/invoices", body(customer, draft=True), format="json").json()
        voided = api.post(f"/v1/invoices/{draft['id']}/void", {"reason": "x"}, format="json")
        assert error_of(voided) == (409, "document_is_draft", None)
        unknown = api.patch(f"/v1/invoices/{draft['id']}", {"status": "open"}, format="json")
        assert error_of(unknown) == (400, "unknown_parameter", "status")

    def test_drafts_are_listed_by_status(self, api, customer):
        api.post("/v1/invoices", body(customer, draft=True), format="json")
        api.post("/v1/invoices", body(customer), format="json")
        listed = api.get("/v1/invoices", {"status": "draft"}).json()["data"]
        assert [row["status"] for row in listed] == ["draft"]


@pytest.mark.django_db
class TestDraftRules:
    def test_no_payment_applies_to_a_draft(self, customer):
        draft = draft_of(customer)
        with pytest.raises(RuleViolation) as raised:
            payment_apply_to_invoices(
                entity=customer.entity,
                customer_id=customer.pk,
                payment_method="cash",
                amount="10.00",
                applications=[ApplicationInput(document_id=draft.pk, amount_applied="10.00")],
            )
        assert raised.value.code == "document_not_open"

    def test_posting_checks_the_lock_date_then(self, customer):
        draft = draft_of(customer)  # saved while March is open
        entity_lock_date_set(entity=customer.entity, lock_date=datetime.date(2026, 3, 31))
        with pytest.raises(RuleViolation) as raised:
            invoice_post(invoice=draft, posted_by="test")
        assert (raised.value.code, raised.value.param) == ("period_locked", "invoice_date")
        assert Invoice.objects.get(pk=draft.pk).status == Invoice.Status.DRAFT

    def test_a_changed_customer_brings_its_bill_to(self, customer):
        other = CustomerFactory(entity=customer.entity, name="Globex", email="ap@globex.example")
        draft = draft_of(customer)
        assert draft.bill_to == f"{customer.name}\n{customer.email}"
        changed = invoice_update(invoice=draft, customer_id=other.pk)
        assert changed.bill_to == "Globex\nap@globex.example"

    def test_a_posted_draft_voids_like_any_invoice(self, customer):
        posted = invoice_post(invoice=draft_of(customer, "40.00", "2.50"), posted_by="test")
        assert posted.total == Decimal("42.50")
        voided = invoice_void(invoice=posted, reason="Wrong customer", voided_by="test")
        assert voided.status == Invoice.Status.VOID
        with pytest.raises(Conflict) as raised:
            invoice_delete(invoice=voided)
        assert raised.value.code == "document_posted"


@pytest.mark.django_db
class TestTheDatabaseGuards:
    def test_a_draft_has_no_number_and_no_entry(self, customer):
        draft = draft_of(customer)
        with refused("invoice_draft_unposted"):
            Invoice.objects.filter(pk=draft.pk).update(number="INV-X")
        posted = InvoiceFactory(customer=customer)
        with refused("invoice_draft_unposted"):
            Invoice.objects.filter(pk=draft.pk).update(journal_entry=posted.journal_entry)

    def test_a_posted_invoice_never_becomes_a_draft_or_is_deleted(self, customer):
        posted = InvoiceFactory(customer=customer)
        with refused("invoice_posted_stays_posted"):
            sql(
                "UPDATE receivables_invoice SET status = 'draft', number = '', journal_entry_id = NULL "
                "WHERE id = %s",
                [posted.pk],
            )
        with refused("invoice_kept"):
            sql("DELETE FROM receivables_invoice WHERE id = %s", [posted.pk])
        with refused("invoice_line_append_only"):
            sql("DELETE FROM receivables_invoiceline WHERE invoice_id = %s", [posted.pk])

    def test_a_draft_whose_lines_do_not_add_up_does_not_commit(self, customer):
        draft = draft_of(customer, "10.00", "5.00")
        with refused("invoice_total_matches_lines"):
            sql("DELETE FROM receivables_invoiceline WHERE invoice_id = %s AND position = 2", [draft.pk])
        with refused("invoice_total_matches_lines"):
            Invoice.objects.filter(pk=draft.pk).update(total=Decimal("99.00"), balance_due=Decimal("99.00"))

    def test_a_draft_posted_around_the_service_without_a_number_does_not_commit(self, customer):
        draft = draft_of(customer)
        entry = InvoiceFactory(customer=customer).journal_entry
        with refused("invoice_numbered"):
            sql(
                "UPDATE receivables_invoice SET status = 'open', journal_entry_id = %s WHERE id = %s",
                [entry.pk, draft.pk],
            )

    def test_no_payment_applies_to_a_draft_even_in_raw_sql(self, customer):
        posted = InvoiceFactory(customer=customer, amount="10.00")
        payment = payment_apply_to_invoices(
            entity=customer.entity,
            customer_id=customer.pk,
            payment_method="cash",
            amount="5.00",
            applications=[ApplicationInput(document_id=posted.pk, amount_applied="5.00")],
        )
        draft = draft_of(customer)
        with refused("payment_applies_to_posted_invoices"):
            sql(
                "INSERT INTO receivables_paymentapplication (id, payment_id, invoice_id, amount_applied) "
                "VALUES (gen_random_uuid(), %s, %s, 1)",
                [payment.pk, draft.pk],
            )


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_draft_at_once_take_one_number(entity):
    customer = CustomerFactory(entity=entity)
    draft = draft_of(customer)
    results = race(*(lambda i=i: invoice_post(invoice=draft, posted_by=f"worker {i}") for i in range(2)))
    posted = [r for r in results if isinstance(r, Invoice)]
    refused_ = [r for r in results if isinstance(r, Conflict)]
    assert len(posted) == 1 and len(refused_) == 1, results
    assert refused_[0].code == "already_posted"
    assert IssuedNumber.objects.filter(document_type="invoice", document_id=str(draft.pk)).count() == 1
    assert len(entries_for("invoice", draft.pk)) == 1
    assert Invoice.objects.get(pk=draft.pk).number == posted[0].number


def admin_lines(invoice: Invoice | None, *lines, extra: int = 1) -> dict:
    """The lines formset as a browser posts it: the draft's lines (kept or changed) then new ones."""
    existing = list(invoice.lines.all()) if invoice else []
    total = max(len(lines), len(existing)) + extra
    data = {
        "lines-TOTAL_FORMS": str(total),
        "lines-INITIAL_FORMS": str(len(existing)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index in range(total):
        data[f"lines-{index}-quantity"] = "1"
        if index < len(existing):
            data |= {f"lines-{index}-id": existing[index].pk, f"lines-{index}-invoice": invoice.pk}
        if index < len(lines):
            description, quantity, price, *delete = lines[index]
            data |= {
                f"lines-{index}-description": description,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit_price": price,
            }
            if delete:
                data[f"lines-{index}-DELETE"] = "on"
    return data


HEADER = {"invoice_date": "2026-03-02", "payment_terms_days": "", "due_date": "", "bill_to": "", "notes": ""}


@pytest.mark.django_db
class TestDraftsInTheAdmin:
    def test_save_as_draft_then_edit_then_save_and_post(self, admin_client, customer):
        add = admin_client.get("/admin/receivables/invoice/add/").content.decode()
        assert 'name="_save_draft"' in add
        data = {"customer": customer.pk, **HEADER, "_save_draft": "Save as draft"}
        response = admin_client.post(
            "/admin/receivables/invoice/add/", data | admin_lines(None, ("Design", "2", "150.00"))
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        draft = Invoice.objects.get()
        assert (draft.status, draft.number, draft.journal_entry_id) == ("draft", "", None)

        url = f"/admin/receivables/invoice/{draft.pk}/change/"
        page = admin_client.get(url).content.decode()
        assert 'name="_post_draft"' in page and 'name="_save"' in page
        edit = {"customer": customer.pk, **HEADER, "payment_terms_days": "14", "_save": "Save"}
        lines = admin_lines(draft, ("Design", "3", "150.00"), ("Hosting", "1", "49.99"))
        response = admin_client.post(url, edit | lines)
        assert response.status_code == 302, response.content.decode()[:3000]
        draft.refresh_from_db()
        assert (draft.status, draft.total, draft.due_date) == (
            "draft",
            Decimal("499.99"),
            datetime.date(2026, 3, 16),
        )

        post = {"customer": customer.pk, **HEADER, "_post_draft": "Save and post"}
        lines = admin_lines(draft, ("Design", "3", "150.00", "delete"), ("Hosting", "1", "49.99"))
        response = admin_client.post(url, post | lines)
        assert response.status_code == 302, response.content.decode()[:3000]
        posted = Invoice.objects.get(pk=draft.pk)
        assert posted.status == "open" and posted.number and posted.total == Decimal("49.99")
        assert 'name="_save"' not in admin_client.get(url).content.decode()  # posted: read-only

    def test_a_draft_is_deleted_from_its_page_and_a_posted_invoice_is_not(self, admin_client, customer):
        draft = draft_of(customer)
        confirm = admin_client.get(f"/admin/receivables/invoice/{draft.pk}/delete/")
        assert confirm.status_code == 200
        response = admin_client.post(f"/admin/receivables/invoice/{draft.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
        assert not Invoice.objects.filter(pk=draft.pk).exists()
        posted = InvoiceFactory(customer=customer)
        assert admin_client.get(f"/admin/receivables/invoice/{posted.pk}/delete/").status_code == 403

    def test_post_selected_drafts(self, admin_client, customer):
        drafts = [draft_of(customer), draft_of(customer, "20.00")]
        posted = InvoiceFactory(customer=customer)
        response = admin_client.post(
            "/admin/receivables/invoice/",
            {"action": "post_selected", "_selected_action": [d.pk for d in drafts] + [posted.pk]},
        )
        assert response.status_code == 302
        assert set(Invoice.objects.values_list("status", flat=True)) == {"open"}
        assert IssuedNumber.objects.filter(document_type="invoice").count() == 3


@pytest.mark.django_db
def test_the_invoice_list_totals_leave_drafts_out(admin_client, customer):
    InvoiceFactory(customer=customer, amount="100.00")
    draft_of(customer, "999.00")
    totals = admin_client.get("/admin/receivables/invoice/").context["list_totals"]
    rows = [(line["rows"], line["amounts"]) for line in totals["lines"]]
    assert rows == [(1, ["100.00 USD", "100.00 USD"])]
