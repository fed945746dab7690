"""A payment's database checks read by key (receivables/migrations/0012_checks_driven_by_their_own_rows.sql).

Planned while a table is nearly empty, a check that may scan it stays a scan once the table has grown, in
every session that keeps the plan: a payment then costs more with every payment before it. The two checks
that did carry `enable_seqscan = off` in their definitions; a CREATE OR REPLACE without it would drop it.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

CHECKS = [
    "receivables_applications_match",
    "receivables_payment_deferred_check",
    "receivables_payment_check",  # 0014
]


@pytest.mark.parametrize("function", CHECKS)
def test_the_payment_checks_never_scan_a_whole_table(function):
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [function])
        assert cursor.fetchone() == (["enable_seqscan=off"],)
