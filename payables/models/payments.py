"""AP payments: cash and vendor credit applied to one vendor's open bills."""

import uuid

from django.db import models
from django.db.models import F, Q

from ledger.documents import models as documents
from payables.models.bills import VendorBill
from payables.models.checks import COMMIT_CHECKS
from payables.models.credits import VendorCredit
from payables.models.vendors import Vendor


class APPaymentMethod(models.TextChoices):
    CHECK = "check"
    ACH = "ach"
    WIRE = "wire"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    OTHER = "other"


class APPayment(documents.AppliedPayment):
    """A payment to one vendor: `amount` in cash plus `credit_amount` of vendor credit, applied to bills."""

    commit_checks = COMMIT_CHECKS

    Method = APPaymentMethod

    entity = documents.entity_reference("ap_payments")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="payments")
    # Empty only between the insert and the number taken last in the same transaction.
    number = models.CharField(max_length=64, blank=True, editable=False)
    method = models.CharField(max_length=12, choices=APPaymentMethod.choices)
    amount = models.DecimalField(**documents.MONEY, help_text="The cash part.")
    credit_amount = models.DecimalField(**documents.MONEY, default=0, help_text="The vendor credit spent.")
    total_applied = models.DecimalField(**documents.MONEY)

    class Meta(documents.AppliedPayment.Meta):
        verbose_name = "AP payment"
        indexes = [models.Index(fields=["entity", "vendor", "status"], name="ap_payment_vendor_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], condition=~Q(number=""), name="ap_payment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, credit_amount__gte=0), name="ap_payment_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_applied=F("amount") + F("credit_amount"), total_applied__gt=0),
                name="ap_payment_total_is_cash_plus_credit",
            ),
            documents.choice_constraint("method", APPaymentMethod, name="ap_payment_known_method"),
            models.CheckConstraint(
                condition=Q(method=APPaymentMethod.CHECK) | Q(check_number=""),
                name="ap_payment_check_number_only_for_checks",
            ),
            documents.payment_void_recorded("ap_payment"),
        ]

    def __str__(self) -> str:
        return self.number or f"(unnumbered AP payment {self.pk})"


class APPaymentApplication(documents.PaymentApplicationBase):
    """The part of a payment applied to one bill."""

    # No index of its own: the unique (payment, bill) index leads with it (as receivables' applications).
    payment = models.ForeignKey(
        APPayment, on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="applications")
    position = models.PositiveSmallIntegerField()

    class Meta(documents.PaymentApplicationBase.Meta):
        verbose_name = "bill application"
        ordering = ["position"]
        constraints = documents.application_constraints("ap_payment_application", document_field="bill")

    def __str__(self) -> str:
        return f"{self.amount_applied} to {self.bill_id}"


class VendorCreditApplication(models.Model):
    """The part of a vendor credit a payment spent; kept, marked by the payment's status, when voided."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(APPayment, on_delete=models.PROTECT, related_name="credit_applications")
    vendor_credit = models.ForeignKey(VendorCredit, on_delete=models.PROTECT, related_name="applications")
    # Credits are spent oldest first; the position keeps that order for the response.
    position = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**documents.MONEY)

    class Meta:
        verbose_name = "credit consumption"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "vendor_credit"], name="vendor_credit_application_once_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="vendor_credit_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.vendor_credit_id}"
