"""Customer payments and the part of each applied to one of the customer's invoices."""

from django.db import models
from django.db.models import Q

from ledger.documents import models as documents
from receivables.models.customers import Customer
from receivables.models.invoices import COMMIT_CHECKS, Invoice


class PaymentMethod(models.TextChoices):
    CHECK = "check"
    ACH = "ach"
    WIRE = "wire"
    EXTERNAL = "external"
    CASH = "cash"
    CREDIT = "credit"


class Payment(documents.AppliedPayment):
    """A customer payment applied to one or more of the customer's invoices (unnumbered: its journal
    entry carries the number)."""

    Method = PaymentMethod
    commit_checks = COMMIT_CHECKS

    entity = documents.entity_reference("payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**documents.MONEY)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    check_date = models.DateField(null=True, blank=True)
    # A payment changes only when voided, and records when in voided_at.
    updated_at = None

    class Meta(documents.AppliedPayment.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            documents.choice_constraint("payment_method", PaymentMethod, name="payment_known_method"),
            models.CheckConstraint(
                condition=Q(payment_method=PaymentMethod.CHECK) | Q(check_number="", check_date__isnull=True),
                name="payment_check_fields_only_for_checks",
            ),
            documents.payment_void_recorded("payment"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_method} payment of {self.amount} on {self.payment_date}"


class PaymentApplication(documents.PaymentApplicationBase):
    """The part of a payment applied to one invoice."""

    # No index of its own: the unique (payment, invoice) index leads with it (one index write fewer
    # per application, 50 per multi-invoice-apply; docs/benchmarks.md, "HTTP: multi-invoice-apply").
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")

    class Meta(documents.PaymentApplicationBase.Meta):
        constraints = documents.application_constraints("payment_application", document_field="invoice")

    def __str__(self) -> str:
        return f"{self.amount_applied} to {self.invoice_id}"
