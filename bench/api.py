"""The HTTP path (docs/benchmarks.md, "HTTP: the API path"): every hot endpoint over a real server.

The server (bench/servers.py; `production` by default, i.e. what `FOLIO_ENV=production ./folio serve`
runs) serves the embedded PostgreSQL's `folio_bench` database with the bench settings (Folio's, plus
the bare baseline's URL). Clients are separate processes, each with its own keep-alive connection
(bench/loadgen.py). Every figure is requests/s, p50 and p99 over BENCH_DURATION seconds, with the count
of non-2xx answers, its ratio to `GET /healthz` at the same client count and, for the numbering
endpoints, to the bare DRF + django-sequences view; all in one run. The CPU columns say where the
machine's two cores went per request: the clients, the server's processes, PostgreSQL's.

Knobs: BENCH_API_SERVERS (comma-separated server specs, each measured in turn), BENCH_API_CLIENTS
("1,16"), BENCH_API_ONLY (scenario names), BENCH_API_APPLY_CLIENTS (the multi-invoice-apply figure of
docs/benchmarks.md's targets, 8), BENCH_API_CHECK_GENERATOR (0: skip the ApacheBench /healthz check).
"""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass

from bench import servers
from bench.harness import DURATION_S
from bench.loadgen import (
    Outcome,
    Request,
    backend_cpu_seconds,
    machine_busy_seconds,
    process_cpu_seconds,
    run_clients,
)

CLIENT_COUNTS = tuple(int(n) for n in os.environ.get("BENCH_API_CLIENTS", "1,16").split(","))
APPLY_CLIENTS = int(os.environ.get("BENCH_API_APPLY_CLIENTS", "8"))
SERVER_SPECS = [s for s in os.environ.get("BENCH_API_SERVERS", "production").split(",") if s]
# Measure /healthz with ApacheBench too (when `ab` is installed): does another generator get more?
CHECK_GENERATOR = os.environ.get("BENCH_API_CHECK_GENERATOR", "1") != "0"
ONLY = {s for s in os.environ.get("BENCH_API_ONLY", "").split(",") if s}
MAX_CLIENTS = max((*CLIENT_COUNTS, APPLY_CLIENTS))
APPLICATIONS = 50
INVOICE_LINES = 5
BLOCK = 100
DAY = datetime.date(2026, 6, 15)
DATABASE = os.environ.get("BENCH_DATABASE", "folio_bench")


@dataclass(frozen=True)
class Scenario:
    """One hot endpoint: the requests each client sends (client i sends requests[i])."""

    name: str
    label: str
    requests: list[Request]
    baseline: str | None = None  # another scenario this one is compared with (besides /healthz)


def _prepare() -> tuple[list[Scenario], object]:
    """Create an entity, a key with every scope, and what each endpoint needs; return the scenarios."""
    from erp.scopes import SCOPES
    from erp.services.api_keys import api_key_create
    from erp.services.entities import entity_create
    from numbering.services import sequence_create
    from payables.services import LineInput as BillLine
    from payables.services import vendor_bill_create, vendor_create, vendor_credit_issue
    from receivables.services import InvoiceLineInput, customer_create, invoice_create

    entity = entity_create(name="API bench", code="api-bench")
    _, token = api_key_create(entity=entity, scopes=sorted(SCOPES), name="bench")
    hot = sequence_create(entity=entity, name="API hot", format="API-{i8}", reset="never")
    block = sequence_create(entity=entity, name="API block", format="APB-{i8}", reset="never")
    for index, kind in enumerate(("Outcome", "Transfer", "Correction", "Invoice")):
        sequence_create(
            entity=entity, name=f"PORTOS {kind}", format=f"P{index}-{{i6}}", stock_transfer_type=kind
        )

    def body(data: dict) -> bytes:
        return json.dumps(data).encode()

    customers = [customer_create(entity=entity, name=f"Client {i}") for i in range(MAX_CLIENTS)]
    invoice_bodies, apply_bodies, ap_bodies = [], [], []
    for index, customer in enumerate(customers):
        lines = [
            {"description": f"Line {n}", "quantity": "2", "unit_price": "12.50"} for n in range(INVOICE_LINES)
        ]
        invoice_bodies.append(
            body({"customer_id": str(customer.pk), "invoice_date": str(DAY), "lines": lines})
        )
        invoices = [
            invoice_create(
                entity=entity,
                customer_id=customer.pk,
                invoice_date=DAY,
                lines=[InvoiceLineInput(description="Bench", unit_price="1000.00")],
            )
            for _ in range(APPLICATIONS)
        ]
        applied = [{"order_id": str(invoice.pk), "amount_applied": "0.01"} for invoice in invoices]
        apply_bodies.append(
            body(
                {
                    "account_id": str(customer.pk),
                    "payment_method": "ach",
                    "amount": f"{APPLICATIONS * 0.01:.2f}",
                    "applications": applied,
                    "payment_date": str(DAY + datetime.timedelta(days=1)),
                }
            )
        )
        vendor = vendor_create(entity=entity, name=f"Vendor {index}")
        bill = vendor_bill_create(
            entity=entity,
            vendor_id=vendor.pk,
            bill_date=DAY,
            lines=[BillLine(description="Goods", unit_price="100000.00")],
        )
        credit, _ = vendor_credit_issue(
            entity=entity, vendor_id=vendor.pk, amount="100000.00", expires_at=None
        )
        ap_bodies.append(
            body(
                {
                    "vendor_id": str(vendor.pk),
                    "method": "ach",
                    "amount": "0.01",
                    "applications": [{"bill_id": str(bill.pk), "amount_applied": "0.02"}],
                    "vendor_credit_ids": [str(credit.pk)],
                }
            )
        )

    def same(request: Request) -> list[Request]:
        return [request] * MAX_CLIENTS

    def each(method: str, path: str, bodies: list[bytes]) -> list[Request]:
        return [Request(method, path, b, token=token, idempotent=True) for b in bodies]

    query = body(
        {
            "object": "company-config/document-sequence",
            "filters": [{"$eq": {"status": "active"}}],
            "fields": ["key", "id", "nextNumber", "href"],
            "orderBy": [{"id": "asc"}],
        }
    )
    gnv = f"/v1/document-sequences/{hot.pk}/generate-next-value"
    scenarios = [
        Scenario(
            "healthz", "GET /healthz (the floor: no key, no database)", same(Request("GET", "/healthz"))
        ),
        Scenario(
            "bare",
            "bare DRF view + django-sequences get_next_value (baseline)",
            same(Request("POST", "/bench/bare-next-value", b"{}")),
        ),
        Scenario(
            "entity", "GET /v1/entities/{id}", same(Request("GET", f"/v1/entities/{entity.pk}", token=token))
        ),
        Scenario(
            "gnv",
            "POST …/generate-next-value, Idempotency-Key",
            same(Request("POST", gnv, b"{}", token=token, idempotent=True)),
            baseline="bare",
        ),
        Scenario(
            "gnv-nokey",
            "POST …/generate-next-value, no Idempotency-Key",
            same(Request("POST", gnv, b"{}", token=token)),
            baseline="bare",
        ),
        Scenario(
            "gnvs",
            f"POST …/generate-next-values (count {BLOCK}), Idempotency-Key",
            same(
                Request(
                    "POST",
                    f"/v1/document-sequences/{block.pk}/generate-next-values",
                    body({"count": BLOCK}),
                    token=token,
                    idempotent=True,
                )
            ),
            baseline="bare",
        ),
        Scenario(
            "invoice",
            f"POST /v1/invoices ({INVOICE_LINES} lines)",
            each("POST", "/v1/invoices", invoice_bodies),
        ),
        Scenario(
            "apply",
            f"POST /v1/payments/multi-invoice-apply ({APPLICATIONS} applications)",
            each("POST", "/v1/payments/multi-invoice-apply", apply_bodies),
        ),
        Scenario(
            "ap-payment",
            "POST /v1/ap-payments (cash + a vendor credit)",
            each("POST", "/v1/ap-payments", ap_bodies),
        ),
        Scenario(
            "intacct-query",
            "POST /ia/api/v1/services/core/query",
            same(Request("POST", "/ia/api/v1/services/core/query", query, token=token)),
        ),
        Scenario(
            "portos-list",
            "GET /portos/stocktransfernumberings",
            same(Request("GET", "/portos/stocktransfernumberings", token=token)),
        ),
    ]
    if ONLY:
        scenarios = [s for s in scenarios if s.name in ONLY or s.name in {"healthz", "bare"}]
    return scenarios, entity


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_pid() -> int | None:
    from django.conf import settings

    pidfile = settings.BASE_DIR / ".local" / "pgdata" / "postmaster.pid"
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Figure:
    scenario: Scenario
    clients: int
    outcome: Outcome
    server_cpu: float
    db_cpu: float
    other_cpu: float  # busy CPU seconds of the machine outside clients, server and PostgreSQL
    split: str  # connections per server process, half-way through (e.g. "11/5")


def _connections_per_worker(port: int) -> str:
    """Return how the server's processes share the established connections to `port` now, e.g. "11/5".

    Each worker serves the keep-alive connections it accepted, one request at a time, for the whole
    run; the kernel decides the split, so a worker with more clients makes their requests wait longer
    (docs/benchmarks.md, "HTTP: the API path"). Empty when `ss` is missing.
    """
    ss = shutil.which("ss")
    if ss is None:
        return ""
    out = subprocess.run(
        [ss, "-tnpH", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True
    ).stdout
    counts = sorted(Counter(re.findall(r"pid=(\d+)", out)).values(), reverse=True)
    return "/".join(str(count) for count in counts)


def _measure(scenario: Scenario, clients: int, port: int, server_pid: int, db_pid: int | None) -> Figure:
    payloads = [[scenario.requests[i].render(port)] for i in range(clients)]
    server_before = process_cpu_seconds([server_pid])
    db_before = backend_cpu_seconds(db_pid, DATABASE) if db_pid else {}
    busy_before = machine_busy_seconds()
    split: list[str] = []  # sampled half-way through the window, while every client is connected
    sampler = threading.Timer(DURATION_S / 2, lambda: split.append(_connections_per_worker(port)))
    sampler.start()
    outcome = run_clients(port, payloads, DURATION_S)
    sampler.cancel()
    busy = machine_busy_seconds() - busy_before
    server_cpu = process_cpu_seconds([server_pid]) - server_before
    db_after = backend_cpu_seconds(db_pid, DATABASE) if db_pid else {}
    db_cpu = sum(seconds - db_before.get(pid, 0.0) for pid, seconds in db_after.items())
    other = max(0.0, busy - server_cpu - db_cpu - outcome.client_cpu)
    return Figure(scenario, clients, outcome, server_cpu, db_cpu, other, split[0] if split else "")


def _second_generator(clients: int, port: int, floor: float) -> str | None:
    """Measure /healthz with ApacheBench (a C client) if installed: the check that ours is not the limit."""
    ab = shutil.which("ab")
    if ab is None:
        return None
    command = [ab, "-k", "-q", "-c", str(clients), "-t", str(int(DURATION_S)), "-n", "10000000"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/healthz"], capture_output=True, text=True
    ).stdout
    rate = re.search(r"Requests per second:\s+([\d.]+)", out)
    if rate is None:
        return None
    quantiles = dict(re.findall(r"^\s+(50|99)%\s+(\d+)", out, re.MULTILINE))
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    errors = int(failed.group(1)) + (int(non_2xx.group(1)) if non_2xx else 0)
    return (
        f"| GET /healthz, ApacheBench (C) as generator | {clients} | {float(rate.group(1)):,.0f} | "
        f"{quantiles.get('50', '?')} | {quantiles.get('99', '?')} | {errors} | "
        f"{float(rate.group(1)) / floor:.2f} of ours | | | | | |"
    )


def _row(figure: Figure, floor: dict[int, float], base: dict[tuple[str, int], float]) -> str:
    out = figure.outcome
    # The requests answered, warm-ups included, share the CPU counted over the window (close enough:
    # three warm-ups per client against hundreds or thousands measured).
    per = max(out.ok + out.non_2xx, 1)
    ratios = f"{out.rate / floor[figure.clients]:.2f}" if figure.clients in floor else ""
    if figure.scenario.baseline and (figure.scenario.baseline, figure.clients) in base:
        ratios += f" / {out.rate / base[(figure.scenario.baseline, figure.clients)]:.2f}× bare"
    failures = ", ".join(f"{status}×{count}" for status, count in sorted(out.failures.items()))
    return (
        f"| {figure.scenario.label} | {figure.clients} | {out.rate:,.0f} | {out.quantile_ms(50):.1f} | "
        f"{out.quantile_ms(99):.1f} | {out.non_2xx}{f' ({failures})' if failures else ''} | {ratios} | "
        f"{out.client_cpu / per * 1e6:,.0f} | {figure.server_cpu / per * 1e6:,.0f} | "
        f"{figure.db_cpu / per * 1e6:,.0f} | {figure.other_cpu / out.wall:.2f} | {figure.split} |"
    )


def run_tables() -> list[str]:
    """Measure every scenario under every server spec; return the printed lines."""
    from django.db import connections

    from bench.issuance import prepare_database

    prepare_database()
    scenarios, entity = _prepare()
    connections.close_all()  # the clients are forked: they must not share this process's connection
    db_pid = _postgres_pid()
    lines: list[str] = []
    for spec in SERVER_SPECS:
        port = _free_port()
        server = servers.start(spec, port)
        header = [
            f"\n### server: {spec} ({' '.join(servers.server_command(spec, port)[1:])})\n",
            "| request | clients | requests/s | p50 ms | p99 ms | non-2xx | × /healthz (/ × bare) | "
            "client CPU µs/req | server CPU µs/req | PostgreSQL CPU µs/req | other busy cores | "
            "connections per worker |",
            "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
        ]
        for line in header:
            print(line, flush=True)
        lines += header
        floor: dict[int, float] = {}
        base: dict[tuple[str, int], float] = {}
        try:
            for scenario in scenarios:
                counts = list(CLIENT_COUNTS)
                if scenario.name == "apply" and APPLY_CLIENTS not in counts:
                    counts.append(APPLY_CLIENTS)
                for clients in counts:
                    figure = _measure(scenario, clients, port, server.pid, db_pid)
                    if scenario.name == "healthz":
                        floor[clients] = figure.outcome.rate
                    base[(scenario.name, clients)] = figure.outcome.rate
                    line = _row(figure, floor, base)
                    print(line, flush=True)
                    lines.append(line)
                    if scenario.name == "healthz" and CHECK_GENERATOR:
                        check = _second_generator(clients, port, figure.outcome.rate)
                        if check:
                            print(check, flush=True)
                            lines.append(check)
        finally:
            servers.stop(server)
    _check_books(entity)
    return lines


def _check_books(entity) -> None:
    """Refuse figures from a run that left the books wrong."""
    from ledger import selectors

    if not selectors.trial_balance(entity=entity).balanced:
        raise RuntimeError("the trial balance does not balance after the run")
