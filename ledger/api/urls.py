"""Ledger API routes under /v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from ledger.api.accounts import AccountViewSet
from ledger.api.journal_entries import JournalEntryViewSet
from ledger.api.reports import APAgingView, ARAgingView, TrialBalanceView
from ledger.api.verification import LedgerVerificationView

router = SimpleRouter(trailing_slash=False)
router.register("accounts", AccountViewSet, basename="account")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")

urlpatterns = [
    path("reports/ar-aging", ARAgingView.as_view(), name="reports-ar-aging"),
    path("reports/ap-aging", APAgingView.as_view(), name="reports-ap-aging"),
    path("reports/trial-balance", TrialBalanceView.as_view(), name="reports-trial-balance"),
    path("ledger/verification", LedgerVerificationView.as_view(), name="ledger-verification"),
    *router.urls,
]
