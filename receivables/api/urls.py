"""Receivables API routes under /v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from receivables.api.customers import CustomerViewSet
from receivables.api.invoices import InvoiceViewSet
from receivables.api.payments import MultiInvoiceApplyView, PaymentViewSet
from receivables.api.statements import CustomerStatementView

router = SimpleRouter(trailing_slash=False)
router.register("customers", CustomerViewSet, basename="customer")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")

urlpatterns = [
    # Before the router: "multi-invoice-apply" is not a payment id.
    path(
        "payments/multi-invoice-apply", MultiInvoiceApplyView.as_view(), name="payments-multi-invoice-apply"
    ),
    path("customers/<uuid:pk>/statement", CustomerStatementView.as_view(), name="customer-statement"),
    *router.urls,
]
