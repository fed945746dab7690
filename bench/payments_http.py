"""HTTP benchmark (docs/benchmarks.md): POST /v1/payments/multi-invoice-apply, 50 applications, gunicorn.

8 client threads on 127.0.0.1, each with its own keep-alive-less http.client connection, send payments
for BENCH_DURATION seconds (at most MAX_REQUESTS_PER_CLIENT each). Two scenarios: every client pays its
own customer's 50 invoices (only the entity's journal counter is shared), and all clients pay the
same 50 invoices (every request waits for the invoice locks of the one before). Each request carries
a fresh Idempotency-Key, as a careful integration would.
"""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench.harness import DURATION_S

CLIENTS = 8
APPLICATIONS = 50
GUNICORN_WORKERS = int(os.environ.get("BENCH_HTTP_WORKERS", "8"))
MAX_REQUESTS_PER_CLIENT = 5_000
APPLIED = "0.01"  # per invoice per request: 5,000 requests never exhaust a 100.00 invoice
ROOT = Path(__file__).resolve().parent.parent


def _prepare(scenario: str):
    """Create an entity, a key, and the invoices each client pays; return (token, bodies per client)."""
    import datetime

    from erp.services.api_keys import api_key_create
    from erp.services.entities import entity_create
    from receivables.services import InvoiceLineInput, customer_create, invoice_create

    entity = entity_create(name=f"HTTP bench {scenario}", code=f"http-{scenario}")
    _, token = api_key_create(entity=entity, scopes=["payments:write"], name="bench")

    def invoices_of(customer, count: int, total: str) -> list:
        line = [InvoiceLineInput(description="Bench", unit_price=total)]
        return [
            invoice_create(
                entity=entity, customer_id=customer.pk, invoice_date=datetime.date(2026, 6, 15), lines=line
            )
            for _ in range(count)
        ]

    def body(customer, invoices) -> bytes:
        applied = [{"order_id": str(invoice.pk), "amount_applied": APPLIED} for invoice in invoices]
        return json.dumps(
            {
                "account_id": str(customer.pk),
                "payment_method": "ach",
                "amount": f"{len(applied) * 0.01:.2f}",
                "applications": applied,
                "payment_date": "2026-06-16",
            }
        ).encode()

    if scenario == "shared":
        customer = customer_create(entity=entity, name="Shared")
        shared = body(
            customer, invoices_of(customer, APPLICATIONS, f"{CLIENTS * MAX_REQUESTS_PER_CLIENT // 100}")
        )
        return entity, token, [shared] * CLIENTS
    bodies = []
    for index in range(CLIENTS):
        customer = customer_create(entity=entity, name=f"Client {index}")
        bodies.append(
            body(customer, invoices_of(customer, APPLICATIONS, f"{MAX_REQUESTS_PER_CLIENT // 100}"))
        )
    return entity, token, bodies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="0")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "erp.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not become healthy within 60 s")


def _client(port: int, token: str, body: bytes, start: threading.Barrier, out: dict) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    failures: list[int] = []

    def send() -> tuple[int, float]:
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        began = time.perf_counter()
        connection.request("POST", "/v1/payments/multi-invoice-apply", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - began

    warm_status, _ = send()  # warm the worker and the connection outside the measured window
    out["warm_ups"] = 1 if warm_status == 201 else 0
    if warm_status != 201:
        failures.append(warm_status)
    start.wait()
    deadline = time.perf_counter() + DURATION_S
    while time.perf_counter() < deadline and len(latencies) + len(failures) < MAX_REQUESTS_PER_CLIENT:
        status, seconds = send()
        if status == 201:
            latencies.append(seconds)
        else:
            failures.append(status)
    out["latencies"], out["failures"] = latencies, failures
    connection.close()


def _measure(port: int, token: str, bodies: list[bytes]) -> tuple[float, float, float, list[int], int]:
    """Return (requests/s, p50 ms, p99 ms, non-201 statuses, payments made incl. warm-ups)."""
    start = threading.Barrier(CLIENTS + 1)
    outs: list[dict] = [{} for _ in range(CLIENTS)]
    threads = [
        threading.Thread(target=_client, args=(port, token, bodies[i], start, outs[i]))
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies = sorted(seconds for out in outs for seconds in out["latencies"])
    failures = sorted(status for out in outs for status in out["failures"])
    warm_ups = sum(out["warm_ups"] for out in outs)
    if not latencies:
        raise RuntimeError(f"no request succeeded (statuses {failures})")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return len(latencies) / wall, cuts[49] * 1000, cuts[98] * 1000, failures, len(latencies) + warm_ups


def _check_books(entity, expected_payments: int) -> None:
    """Refuse to report figures from a run that left the books wrong."""
    from ledger import selectors
    from receivables.models import Payment

    if not selectors.trial_balance(entity=entity).balanced:
        raise RuntimeError("the trial balance does not balance after the run")
    stored = Payment.objects.filter(entity=entity).count()
    if stored != expected_payments:
        raise RuntimeError(f"{stored} payments stored, {expected_payments} answered 201")


def run() -> list[tuple[str, str, float, str]]:
    """Run both scenarios; return rows (scenario, clients, requests per second, latency note)."""
    from django.db import connections

    from bench.issuance import prepare_database

    prepare_database()
    prepared = {scenario: _prepare(scenario) for scenario in ("own", "shared")}
    connections.close_all()  # the server's workers need no share of this process's connection
    port = _free_port()
    server = _start_gunicorn(port)
    rows = []
    try:
        for scenario, label in (
            ("own", f"multi-invoice-apply, {APPLICATIONS} applications, each client its own invoices"),
            ("shared", f"multi-invoice-apply, {APPLICATIONS} applications, all clients the same invoices"),
        ):
            entity, token, bodies = prepared[scenario]
            rate, p50, p99, failures, succeeded = _measure(port, token, bodies)
            _check_books(entity, expected_payments=succeeded)
            note = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(failures)} non-201 {failures or ''}".rstrip()
            rows.append((label, str(CLIENTS), rate, note))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


if __name__ == "__main__":
    from bench.harness import setup_django

    setup_django()
    print("| scenario | clients | requests/s | latency |")
    print("|---|---:|---:|---|")
    for scenario, clients, rate, note in run():
        print(f"| {scenario} | {clients} | {rate:,.1f} | {note} |", flush=True)
