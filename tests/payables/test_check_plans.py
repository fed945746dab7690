"""An AP payment's database checks read by key (payables/migrations/0008_checks_driven_by_their_own_rows.sql).

As a customer payment's (tests/receivables/test_check_plans.py): a check planned while a table was nearly
empty must not stay a scan of it once it has grown, so the checks carry `enable_seqscan = off`; so do the
checks of a bill and of a credit against their running totals and the triggers that move those totals
(payables/migrations/0009_running_totals_written_once_per_payment.sql).
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

CHECKS = [
    "payables_bill_applications_match",
    "payables_credit_applications_match",
    "payables_posted_deferred_check",
    "payables_vendor_bill_check",
    "payables_vendor_credit_check",
    "payables_ap_payment_check",
    "payables_bills_move",
    "payables_credits_move",
    "payables_bill_applications_move",
    "payables_credit_applications_move",
    "payables_ap_payment_give_back",
]


@pytest.mark.parametrize("function", CHECKS)
def test_the_ap_payment_checks_never_scan_a_whole_table(function):
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [function])
        assert cursor.fetchone() == (["enable_seqscan=off"],)
