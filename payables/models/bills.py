"""Vendor bills and their lines: what the entity owes, numbered from the `vendor_bill` counter."""

from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Lower

from ledger.documents import models as documents
from payables.models.checks import COMMIT_CHECKS
from payables.models.vendors import Vendor


def vendor_reference_key(reference) -> Lower:
    """Return the form two vendor references are compared in: any case, runs of whitespace as one space."""
    return Lower(Func(reference, Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace"))


class VendorBill(documents.PostedDocument):
    """A vendor's bill: posted DR expense / CR accounts_payable, paid down by AP payments."""

    commit_checks = COMMIT_CHECKS

    entity = documents.entity_reference("vendor_bills")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="bills")
    bill_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    vendor_reference = models.CharField(
        max_length=200, blank=True, help_text="The vendor's own invoice number."
    )

    class Meta(documents.PostedDocument.Meta):
        indexes = documents.document_indexes("vendor_bill", party="vendor", date_field="bill_date")
        constraints = [
            *documents.document_constraints(
                "vendor_bill", noun="bill", date_field="bill_date", due_date_optional=True
            ),
            # A vendor's invoice is entered once: one live (not void) bill per vendor reference,
            # drafts included (docs/payables.md, "Duplicate vendor references").
            models.UniqueConstraint(
                F("entity"),
                F("vendor"),
                vendor_reference_key(F("vendor_reference")),
                condition=~Q(vendor_reference="") & ~Q(status=documents.DocumentStatus.VOID),
                name="vendor_bill_unique_vendor_reference",
            ),
        ]


class VendorBillLine(documents.DocumentLine):
    """One line of a bill."""

    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="lines")

    class Meta(documents.DocumentLine.Meta):
        constraints = documents.line_constraints("vendor_bill_line", document_field="bill")
