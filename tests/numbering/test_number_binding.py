"""Numbers agree with documents: a document's number is voided only with the document, and the audit
reports every number and document that disagree (docs/activity.md, "Numbers agree with documents")."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from erp.exceptions import Conflict
from erp.models import Activity
from numbering.audit import sequence_audit
from numbering.models import IssuedNumber, Sequence
from numbering.services import issued_number_void, sequence_issue_next
from receivables.services import invoice_void
from tests.db_roles import superuser_sql
from tests.erp.factories import EntityFactory
from tests.helpers import error_of, refused
from tests.receivables.factories import CustomerFactory, InvoiceFactory


def number_of(document, document_type: str = "invoice") -> IssuedNumber:
    return IssuedNumber.objects.get(document_type=document_type, document_id=str(document.pk))


@pytest.fixture
def invoice(customer):
    return InvoiceFactory(customer=customer, amount="120.00")


# --- the service, the API and the admin refuse ----------------------------------------------------------


def test_the_service_refuses_to_void_a_documents_number(invoice):
    with pytest.raises(Conflict) as refusal:
        issued_number_void(issued_number=number_of(invoice), reason="typo", voided_by="user:acc")

    assert refusal.value.code == "number_bound_to_document"
    assert number_of(invoice).status == IssuedNumber.Status.ISSUED


def test_the_api_refuses_it_with_409(api, invoice):
    response = api.post(f"/v1/issued-numbers/{number_of(invoice).pk}/void", {"reason": "typo"}, format="json")

    assert error_of(response)[:2] == (409, "number_bound_to_document")
    assert number_of(invoice).status == IssuedNumber.Status.ISSUED


def test_the_admin_refuses_it_and_says_what_to_void(admin_client, invoice):
    number = number_of(invoice)
    url = reverse("admin:numbering_issuednumber_changelist")

    response = admin_client.post(
        url, {"action": "void_selected", "_selected_action": [number.pk], "reason": "typo"}, follow=True
    )

    assert response.status_code == 200
    assert "void the invoice" in response.content.decode()
    assert number_of(invoice).status == IssuedNumber.Status.ISSUED


def test_a_journal_entrys_number_is_never_voided(invoice):
    entry_number = number_of(invoice.journal_entry, "journal_entry")

    with pytest.raises(Conflict, match="journal entry"):
        issued_number_void(issued_number=entry_number, reason="typo", voided_by="user:acc")


def test_a_number_issued_to_no_document_is_voided_as_before(entity):
    sequence = Sequence.objects.get(entity=entity, counter_type="invoice")
    free = sequence_issue_next(sequence=sequence, document_type="api")

    voided = issued_number_void(issued_number=free, reason="handed out by mistake", voided_by="user:acc")

    assert voided.status == IssuedNumber.Status.VOIDED
    [row] = Activity.objects.filter(action="issued_number.voided", object_id=str(free.pk))
    assert row.reason == "handed out by mistake"


# --- voiding the document voids its number ----------------------------------------------------------------


def test_voiding_the_invoice_voids_its_number_with_the_reason(invoice):
    invoice_void(invoice=invoice, reason="issued twice", voided_by="user:acc")

    number = number_of(invoice)
    assert (number.status, number.void_reason, number.voided_by) == ("voided", "issued twice", "user:acc")
    assert list(Activity.objects.filter(object_id=str(invoice.pk)).values_list("action", "reason")) == [
        ("invoice.voided", "issued twice"),
        ("invoice.created", ""),
    ]


def test_the_audit_is_clean_after_documents_are_created_and_voided(entity, invoice, customer):
    invoice_void(invoice=InvoiceFactory(customer=customer, amount="5.00"), reason="wrong", voided_by="")

    for sequence in Sequence.objects.filter(entity=entity):
        report = sequence_audit(sequence=sequence)
        assert report["documents"] == [] and report["ok"], report


# --- the database refuses it too ----------------------------------------------------------------------------


def test_the_database_refuses_to_void_a_live_documents_number(invoice):
    with refused("number_bound_to_document"):
        IssuedNumber.objects.filter(pk=number_of(invoice).pk).update(
            status="voided", void_reason="around the service", voided_at=timezone.now()
        )


def test_the_database_refuses_to_void_a_journal_entrys_number(invoice):
    with refused("number_bound_to_document"):
        IssuedNumber.objects.filter(pk=number_of(invoice.journal_entry, "journal_entry").pk).update(
            status="voided", void_reason="around the service", voided_at=timezone.now()
        )


# --- the audit reports numbers and documents that disagree -------------------------------------------------


@pytest.fixture
def tampered_books(transactional_db):
    """An entity with three invoices, then rewritten by the database superuser around every guard."""
    entity = EntityFactory()
    customer = CustomerFactory(entity=entity)
    renumbered, voided, clean = (
        InvoiceFactory(customer=customer, amount=a) for a in ("10.00", "20.00", "30.00")
    )
    superuser_sql("UPDATE receivables_invoice SET number = 'INV-FORGED' WHERE id = %s", [renumbered.pk])
    superuser_sql(
        "UPDATE numbering_issuednumber SET status = 'voided', void_reason = 'x', voided_at = now()"
        " WHERE document_id = %s",
        [str(voided.pk)],
    )
    return {"entity": entity, "renumbered": renumbered, "voided": voided, "clean": clean}


def test_the_audit_reports_numbers_and_documents_that_disagree(tampered_books):
    sequence = Sequence.objects.get(entity=tampered_books["entity"], counter_type="invoice")

    report = sequence_audit(sequence=sequence)

    renumbered, voided = str(tampered_books["renumbered"].pk), str(tampered_books["voided"].pk)
    found = {(problem["problem"], problem["document_id"]) for problem in report["documents"]}
    assert found == {
        ("document_carries_another_number", renumbered),
        ("document_number_not_issued", renumbered),
        ("number_voided_document_live", voided),
    }
    assert report["ok"] is False


def test_the_audit_command_names_them_and_fails(tampered_books):
    out = StringIO()

    with pytest.raises(CommandError, match="disagree with their documents"):
        call_command(
            "audit_numbering", "--entity", tampered_books["entity"].code, "--sequence", "Invoice", stdout=out
        )

    assert "is voided but invoice" in out.getvalue()
    assert "carries INV-FORGED" in out.getvalue()


def test_the_audit_reports_a_number_whose_document_is_missing(transactional_db):
    entity = EntityFactory()
    invoice = InvoiceFactory(customer=CustomerFactory(entity=entity), amount="10.00")
    number = number_of(invoice)
    superuser_sql(
        "UPDATE numbering_issuednumber SET document_id = %s WHERE id = %s", [str(entity.pk), number.pk]
    )

    report = sequence_audit(sequence=number.sequence)

    problems = [(p["problem"], p["document_id"]) for p in report["documents"]]
    assert ("document_missing", str(entity.pk)) in problems
    assert ("document_number_not_issued", str(invoice.pk)) in problems


def test_a_void_document_whose_number_is_still_issued_is_reported_and_its_number_can_be_voided(
    transactional_db,
):
    """Books voided before numbers were bound: the audit says so, and the number is voided on its own."""
    entity = EntityFactory()
    invoice = InvoiceFactory(customer=CustomerFactory(entity=entity), amount="10.00")
    invoice_void(invoice=invoice, reason="issued twice", voided_by="user:acc")
    number = number_of(invoice)
    # As a void made before the binding left it: the invoice void, its number still issued.
    superuser_sql(
        "UPDATE numbering_issuednumber SET status = 'issued', void_reason = '', voided_at = NULL,"
        " voided_by = '' WHERE id = %s",
        [number.pk],
    )

    report = sequence_audit(sequence=number.sequence)

    assert [(p["problem"], p["document_id"]) for p in report["documents"]] == [
        ("document_void_number_live", str(invoice.pk))
    ]
    assert report["ok"] is False
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_numbering", "--entity", entity.code, "--sequence", "Invoice", stdout=out)
    assert f"is void but its number {number.number} is not" in out.getvalue()

    voided = issued_number_void(issued_number=number, reason="its invoice was voided", voided_by="user:acc")

    assert voided.status == IssuedNumber.Status.VOIDED
    assert sequence_audit(sequence=number.sequence)["documents"] == []


def test_a_number_whose_document_is_live_is_still_refused(entity):
    invoice = InvoiceFactory(customer=CustomerFactory(entity=entity), amount="10.00")

    with pytest.raises(Conflict) as refusal:
        issued_number_void(issued_number=number_of(invoice), reason="no", voided_by="user:acc")

    assert refusal.value.code == "number_bound_to_document"
