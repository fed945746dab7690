"""The database restarted under load: 503 `database_unavailable` meanwhile, nothing half-written, recovery.

A real server (erp/server.py: granian, two workers, persistent connections with health checks) runs on a
PostgreSQL of this test's own (tests/system/cluster.py), so stopping it leaves the suite's shared server
alone. Client threads issue numbers and create invoices without pause while the database is stopped
("fast": open transactions rolled back, sessions ended) and started again. Every answer must be a 201 or a
503 in the envelope; once the database is back, writes succeed again through the same server processes;
and the books are clean: every number a client was given is in the database once, no gap in any
sequence, the trial balance balanced.
"""

import http.client
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass

import pytest

from erp.server import production_command
from tests.system.cluster import Cluster, folio_json, free_port, serving

SETUP = """
import json
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_create
from erp.services.entities import entity_create
from numbering.services import sequence_create
from receivables.services import customer_create
entity = entity_create(name="Restart Ltd", code="restart", fiscal_year_start_month=1)
_, token = api_key_create(entity=entity, scopes=sorted(SCOPES), name="load")
customer = customer_create(entity=entity, name="Steady Buyer")
sequence = sequence_create(entity=entity, name="Under load", format="L-{i6}", reset="never")
print(json.dumps({"token": token, "customer": str(customer.pk), "sequence": str(sequence.pk)}))
"""

AUDIT = """
import json
from erp.models import Entity
from ledger.selectors import trial_balance
from numbering.audit import entity_audit
from numbering.models import IssuedNumber
from receivables.models import Invoice
entity = Entity.objects.get(code="restart")
print(json.dumps({
    "audit_ok": entity_audit(entity=entity)["ok"],
    "balanced": trial_balance(entity=entity).balanced,
    "issued": list(IssuedNumber.objects.filter(sequence__name="Under load").values_list("number", flat=True)),
    "invoices": list(Invoice.objects.filter(entity=entity).values_list("number", flat=True)),
    "unposted": Invoice.objects.filter(entity=entity, journal_entry__isnull=True).count(),
}))
"""

CLIENTS = 4
BOUND = 30  # seconds: the most any phase may take before the test fails, saying which


@dataclass(frozen=True)
class Answer:
    sent: str  # the phase the request was sent in
    phase: str  # the phase its answer came in
    kind: str  # "number" or "invoice"
    status: int
    body: dict
    retry_after: str | None


class Load:
    """Client threads writing without pause; each answer is recorded with the phase it was sent in."""

    def __init__(self, port: int, world: dict):
        self.port = port
        self.world = world
        self.phase = "before"
        self.answers: list[Answer] = []
        self.failures: list[str] = []  # anything but an HTTP answer: a refused connection, a timeout
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def _client(self, n: int) -> None:
        kinds = ["number", "invoice"] if n % 2 else ["invoice", "number"]
        i = 0
        while not self.stopping.is_set():
            kind, phase = kinds[i % 2], self.phase
            i += 1
            try:
                status, body, retry_after = self._send(kind)
            except (OSError, http.client.HTTPException) as error:
                self.failures.append(f"{phase} {kind}: {error!r}")
                time.sleep(0.05)
                continue
            self.answers.append(Answer(phase, self.phase, kind, status, body, retry_after))
            if status == 503:
                time.sleep(0.02)  # as a client honouring Retry-After would, only faster

    def _send(self, kind: str) -> tuple[int, dict, str | None]:
        if kind == "number":
            path, body = f"/v1/document-sequences/{self.world['sequence']}/generate-next-value", {}
        else:
            path = "/v1/invoices"
            body = {
                "customer_id": self.world["customer"],
                "invoice_date": "2026-06-15",
                "lines": [{"description": "Load", "unit_price": "10.00"}],
            }
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(
                "POST",
                path,
                json.dumps(body),
                {
                    "Authorization": f"Bearer {self.world['token']}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}"), response.getheader("Retry-After")
        finally:
            connection.close()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(BOUND)
        assert not any(thread.is_alive() for thread in self.threads), "a client thread did not finish"

    def count(self, phase: str, status: int) -> int:
        return sum(1 for a in list(self.answers) if a.phase == phase and a.status == status)

    def wait_for(self, phase: str, status: int, at_least: int) -> None:
        """Wait until `at_least` answers of `status` were given in `phase`, failing after BOUND seconds."""
        deadline = time.monotonic() + BOUND
        while self.count(phase, status) < at_least:
            if time.monotonic() > deadline:
                seen = sorted({(a.phase, a.status) for a in self.answers})
                raise AssertionError(
                    f"{phase}: fewer than {at_least} answers {status} within {BOUND} s "
                    f"(seen {seen}; failures {self.failures[:3]})"
                )
            time.sleep(0.05)


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        cluster.create_database()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server(cluster):
    """Folio's production server (two workers) on the cluster's database: (process, port)."""
    port = free_port()
    command = production_command(python=sys.executable, bind=f"127.0.0.1:{port}")
    with serving(command, dict(cluster.env(), WEB_CONCURRENCY="2"), port, bound=60) as process:
        yield process, port


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("stop", ["fast", "immediate"])
def test_requests_during_a_database_restart_get_503_and_folio_recovers_by_itself(cluster, server, stop):
    process, port = server
    world = folio_json(cluster, SETUP)
    load = Load(port, world)
    load.start()
    try:
        load.wait_for("before", 201, at_least=20)

        load.phase = "outage"
        cluster.stop(stop)
        load.wait_for("outage", 503, at_least=10)
        # Outside the API too: the admin (its session is read from the database) and the readiness
        # probe answer 503; the liveness probe, which reads nothing, stays 200.
        assert get(port, "/admin/", {"Cookie": f"sessionid={'a' * 32}"}).status == 503
        assert get(port, "/readyz").status == 503
        assert get(port, "/healthz").status == 200

        load.phase = "restarted"
        cluster.start()
        load.wait_for("restarted", 201, at_least=20)
        assert get(port, "/readyz").status == 200
    finally:
        load.stop()

    assert process.poll() is None, "the server died: it must ride out the outage"
    assert load.failures == [], f"answers that were not HTTP answers: {load.failures[:5]}"
    statuses = {a.status for a in load.answers}
    assert statuses <= {201, 503}, sorted(statuses)
    # Before the stop, every write succeeded (a request still running when it came may get a 503).
    assert all(a.status == 201 for a in load.answers if a.phase == "before")
    for answer in load.answers:
        if answer.status == 503:
            assert answer.body["error"]["code"] == "database_unavailable", answer.body
            assert answer.body["error"]["type"] == "unavailable"
            assert answer.body["request_id"].startswith("req_")
            assert answer.retry_after == "1"

    books = folio_json(cluster, AUDIT)
    assert books["audit_ok"] is True, "a gap in a sequence"
    assert books["balanced"] is True, "the trial balance does not balance"
    assert books["unposted"] == 0, "an invoice without its journal entry"
    # Nothing a client was given is lost, and nothing is in the books twice.
    given = {
        "number": [a.body["number"] for a in load.answers if a.status == 201 and a.kind == "number"],
        "invoice": [a.body["number"] for a in load.answers if a.status == 201 and a.kind == "invoice"],
    }
    for kind, stored in (("number", books["issued"]), ("invoice", books["invoices"])):
        assert len(set(stored)) == len(stored), f"a {kind} stored twice"
        assert set(given[kind]) <= set(stored), f"a {kind} given to a client is not in the books"
        # A write can commit as the connection drops, its answer a 503: at most one per client.
        assert len(stored) - len(given[kind]) <= CLIENTS, (kind, len(stored), len(given[kind]))
