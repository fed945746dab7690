"""Payables API routes under /v1/."""

from rest_framework.routers import SimpleRouter

from payables.api.bills import VendorBillViewSet
from payables.api.credits import VendorCreditViewSet
from payables.api.payments import APPaymentViewSet
from payables.api.vendors import VendorViewSet

router = SimpleRouter(trailing_slash=False)
router.register("vendors", VendorViewSet, basename="vendor")
router.register("vendor-bills", VendorBillViewSet, basename="vendor-bill")
router.register("vendor-credits", VendorCreditViewSet, basename="vendor-credit")
router.register("ap-payments", APPaymentViewSet, basename="ap-payment")

urlpatterns = router.urls
