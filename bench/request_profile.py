"""Where one API request's time goes, in process (docs/benchmarks.md, "HTTP: the API path").

    BENCH_DATABASE=folio_bench_<you> .venv/bin/python -m bench.request_profile gnv|nokey|entity|apply|ap [N]

Sends N requests (default 300) through Django's test client to a fresh entity of the benchmark database
(PREPARE=1 creates and migrates it first) and prints: the statements of one request with their times
(median of 3), the Python CPU and the PostgreSQL backend's CPU (read from /proc) per request, and, with
PROFILE=1, cProfile's top functions (SORT=cumulative|tottime, TOP=40). Kinds: `gnv` generate-next-value
with a fresh Idempotency-Key, `nokey` without one, `entity` GET /v1/entities/{id}, `apply`
multi-invoice-apply with 50 applications of 0.01 (Idempotency-Key), `ap` an AP payment of 0.01 in cash
and 0.01 from a vendor credit applied to one bill (Idempotency-Key), as `./folio bench api` sends them.
"""

import cProfile
import datetime
import json
import os
import pstats
import statistics
import sys
import time
import uuid

from bench.harness import setup_django

APPLICATIONS = 50


def _requests(kind: str):
    """Return a function sending one request of `kind` (asserting a 2xx), after creating what it needs."""
    from django.test import Client

    from erp.scopes import SCOPES
    from erp.services.api_keys import api_key_create
    from erp.services.entities import entity_create
    from numbering.services import sequence_create
    from receivables.services import InvoiceLineInput, customer_create, invoice_create

    tag = uuid.uuid4().hex[:8]
    entity = entity_create(name=f"Profile {tag}", code=f"profile-{tag}")
    _, token = api_key_create(entity=entity, scopes=sorted(SCOPES), name="profile")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    if kind == "entity":
        return lambda: client.get(f"/v1/entities/{entity.pk}")
    if kind in ("gnv", "nokey"):
        sequence = sequence_create(entity=entity, name="Hot", format="P-{i8}", reset="never")
        path = f"/v1/document-sequences/{sequence.pk}/generate-next-value"

        def issue():
            key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex} if kind == "gnv" else {}
            return client.post(path, b"{}", content_type="application/json", **key)

        return issue
    if kind == "apply":
        day = datetime.date(2026, 1, 5)
        customer = customer_create(entity=entity, name="Customer")
        line = [InvoiceLineInput(description="Profile", unit_price="100000.00")]
        invoices = [
            invoice_create(entity=entity, customer_id=customer.pk, invoice_date=day, lines=line)
            for _ in range(APPLICATIONS)
        ]
        # Each payment applies 0.01 to every invoice: 100,000.00 each lasts far beyond any N.
        body = {
            "account_id": str(customer.pk),
            "payment_method": "ach",
            "amount": f"{APPLICATIONS * 0.01:.2f}",
            "applications": [{"order_id": str(i.pk), "amount_applied": "0.01"} for i in invoices],
            "payment_date": str(day + datetime.timedelta(days=1)),
        }
        payload = json.dumps(body).encode()
        return lambda: client.post(
            "/v1/payments/multi-invoice-apply",
            payload,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
    if kind == "ap":
        from payables.services import LineInput as BillLine
        from payables.services import vendor_bill_create, vendor_create, vendor_credit_issue

        vendor = vendor_create(entity=entity, name="Vendor")
        bill = vendor_bill_create(
            entity=entity,
            vendor_id=vendor.pk,
            bill_date=datetime.date(2026, 1, 5),
            lines=[BillLine(description="Goods", unit_price="100000.00")],
        )
        credit, _ = vendor_credit_issue(
            entity=entity, vendor_id=vendor.pk, amount="100000.00", expires_at=None
        )
        # As `./folio bench api` sends it: 0.01 in cash and 0.01 from the credit, applied to one bill.
        body = {
            "vendor_id": str(vendor.pk),
            "method": "ach",
            "amount": "0.01",
            "applications": [{"bill_id": str(bill.pk), "amount_applied": "0.02"}],
            "vendor_credit_ids": [str(credit.pk)],
        }
        payload = json.dumps(body).encode()
        return lambda: client.post(
            "/v1/ap-payments", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
        )
    raise SystemExit(f"unknown kind {kind!r}: gnv, nokey, entity, apply or ap")


def _backend_cpu_seconds() -> float:
    """Return the CPU time this connection's PostgreSQL backend has used so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _statements(send) -> tuple[list[tuple[float, str]], float]:
    """Return one request's statements with their times (µs, median of 3) and its wall time."""
    from django.db import connection

    runs = []
    for _ in range(3):
        timings = []

        def timed(execute, sql, params, many, context, timings=timings):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append(((time.perf_counter() - started) * 1e6, sql))

        with connection.execute_wrapper(timed):
            started = time.perf_counter()
            send()
            runs.append((timings, (time.perf_counter() - started) * 1e6))
    last, wall = runs[-1]
    same = [timings for timings, _ in runs if len(timings) == len(last)]
    medians = [(statistics.median(t[i][0] for t in same), sql) for i, (_, sql) in enumerate(last)]
    return medians, wall


def main(argv: list[str]) -> int:
    setup_django()
    from django.db import close_old_connections

    if os.environ.get("PREPARE"):
        from bench.issuance import prepare_database

        prepare_database()
    kind = argv[0] if argv else "gnv"
    count = int(argv[1]) if len(argv) > 1 else 300

    request = _requests(kind)

    def send():
        # What a server does at each request's start and Django's test client skips: check the
        # persistent connection (CONN_HEALTH_CHECKS) before the request's first statement.
        close_old_connections()
        response = request()
        assert 200 <= response.status_code < 300, (response.status_code, response.content[:300])

    for _ in range(20):  # warm the connection, the prepared statements and the per-process caches
        send()
    statements, wall = _statements(send)
    print(f"{len(statements)} statements, {sum(t for t, _ in statements):,.0f} µs of {wall:,.0f} µs wall")
    for spent, sql in statements:
        print(f"{spent:8,.0f} µs  {' '.join(sql.split())[:140]}")
    cpu, backend, started = time.process_time(), _backend_cpu_seconds(), time.perf_counter()
    for _ in range(count):
        send()
    per = 1e6 / count
    python, wall = (time.process_time() - cpu) * per, (time.perf_counter() - started) * per
    postgres = (_backend_cpu_seconds() - backend) * per
    print(f"per request: Python CPU {python:,.0f} µs, PostgreSQL CPU {postgres:,.0f} µs, wall {wall:,.0f} µs")
    if os.environ.get("PROFILE"):
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(count):
            send()
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("TOP", "40")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
