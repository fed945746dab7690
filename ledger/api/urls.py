"""Ledger API routes under /v1/."""

from rest_framework.routers import SimpleRouter

from ledger.api.accounts import AccountViewSet
from ledger.api.journal_entries import JournalEntryViewSet

router = SimpleRouter(trailing_slash=False)
router.register("accounts", AccountViewSet, basename="account")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")

urlpatterns = router.urls
