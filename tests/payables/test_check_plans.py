"""An AP payment's database checks read by key (payables/migrations/0008_checks_driven_by_their_own_rows.sql).

As a customer payment's (tests/receivables/test_check_plans.py): a check planned while a table was nearly
empty must not stay a scan of it once it has grown, so the checks carry `enable_seqscan = off`.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

CHECKS = [
    "payables_bill_applications_match",
    "payables_credit_applications_match",
    "payables_posted_deferred_check",
]


@pytest.mark.parametrize("function", CHECKS)
def test_the_ap_payment_checks_never_scan_a_whole_table(function):
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [function])
        assert cursor.fetchone() == (["enable_seqscan=off"],)
