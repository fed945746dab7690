"""A small HTTP/1.1 load generator: each client a process with its own keep-alive socket.

Requests are pre-rendered bytes (only a fresh Idempotency-Key is spliced in), and responses are read
by Content-Length, so a client spends tens of microseconds of CPU per request, not the hundreds
http.client would (the client's CPU per request is measured and reported next to the server's).
A server that answers `Connection: close` (gunicorn's sync worker) is reconnected to.
"""

import multiprocessing
import os
import socket
import statistics
import time
import uuid
from dataclasses import dataclass, field

KEY_SLOT = b"@@IDEMPOTENCY_KEY@@"


@dataclass(frozen=True)
class Request:
    """One kind of request a client sends over and over."""

    method: str
    path: str
    body: bytes = b""
    token: str = ""
    idempotent: bool = False  # send a fresh Idempotency-Key with every request

    def render(self, port: int) -> bytes:
        """Return the request's bytes (with KEY_SLOT where a fresh key goes)."""
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
        if self.token:
            lines.append(f"Authorization: Bearer {self.token}")
        if self.idempotent:
            lines.append("Idempotency-Key: " + KEY_SLOT.decode())
        if self.body or self.method in {"POST", "PUT", "PATCH"}:
            lines += ["Content-Type: application/json", f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Outcome:
    """What the clients of one figure did."""

    clients: int
    wall: float
    latencies: list[float] = field(default_factory=list)
    failures: dict[int, int] = field(default_factory=dict)  # status -> count, anything not 2xx
    client_cpu: float = 0.0  # seconds of CPU all clients spent inside the window

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.wall

    @property
    def non_2xx(self) -> int:
        return sum(self.failures.values())

    def quantile_ms(self, q: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


class _Connection:
    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _open(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=120)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, payload: bytes) -> int:
        """Send one request and read its whole response; return the status."""
        if self.sock is None:
            self._open()
        try:
            self.sock.sendall(payload)
            return self._read()
        except (ConnectionError, _Closed):
            # The server closed an idle keep-alive connection before this request: resend once.
            self.close()
            self._open()
            self.sock.sendall(payload)
            return self._read()

    def _read(self) -> int:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise RuntimeError("chunked responses are not supported by the bench client")
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise _Closed()
            rest += chunk
        self.buffer = rest[length:]
        if close:
            self.close()
        return status

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise _Closed()
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


class _Closed(Exception):
    """The server closed the connection."""


def _client(port, payloads, duration, warmups, start, results) -> None:
    connection = _Connection(port)
    index = 0

    def payload() -> bytes:
        nonlocal index
        raw = payloads[index % len(payloads)]
        index += 1
        if KEY_SLOT in raw:
            raw = raw.replace(KEY_SLOT, uuid.uuid4().hex.encode())
        return raw

    warm_failures: dict[int, int] = {}
    for _ in range(warmups):  # outside the window: the connection and the worker's caches
        status = connection.exchange(payload())
        if not 200 <= status < 300:
            warm_failures[status] = warm_failures.get(status, 0) + 1
    start.wait()
    latencies: list[float] = []
    failures = dict(warm_failures)
    cpu_began = time.process_time()
    deadline = time.perf_counter() + duration
    while True:
        began = time.perf_counter()
        if began >= deadline:
            break
        status = connection.exchange(payload())
        if 200 <= status < 300:
            latencies.append(time.perf_counter() - began)
        else:
            failures[status] = failures.get(status, 0) + 1
    cpu = time.process_time() - cpu_began
    connection.close()
    results.put((latencies, failures, cpu))


def run_clients(
    port: int, payloads_per_client: list[list[bytes]], duration: float, warmups: int = 3
) -> Outcome:
    """Run one client process per entry of `payloads_per_client` for `duration` seconds."""
    clients = len(payloads_per_client)
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(clients + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_client, args=(port, payloads, duration, warmups, start, results), daemon=True)
        for payloads in payloads_per_client
    ]
    for proc in procs:
        proc.start()
    start.wait(timeout=300)
    began = time.perf_counter()
    outcome = Outcome(clients=clients, wall=0.0)
    for _ in procs:
        latencies, failures, cpu = results.get(timeout=duration + 300)
        outcome.latencies.extend(latencies)
        for status, count in failures.items():
            outcome.failures[status] = outcome.failures.get(status, 0) + count
        outcome.client_cpu += cpu
    outcome.wall = time.perf_counter() - began
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"a bench client failed (exit {proc.exitcode})")
    outcome.latencies.sort()
    return outcome


def machine_busy_seconds() -> float:
    """Return the CPU seconds all cores of the machine spent busy so far (/proc/stat)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def backend_cpu_seconds(postmaster_pid: int, database: str) -> dict[int, float]:
    """Return CPU seconds so far of each live PostgreSQL backend connected to `database`, by pid.

    Other databases' backends (other people's test runs on the same server) are left out; a backend
    that exits inside the window loses its share (with persistent connections none does).
    """
    ticks = os.sysconf("SC_CLK_TCK")
    marker = f" {database} ".encode()
    found: dict[int, float] = {}
    try:
        with open(f"/proc/{postmaster_pid}/task/{postmaster_pid}/children") as children:
            pids = [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return found
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if marker not in cmdline.read().replace(b"\0", b" ") + b" ":
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def process_cpu_seconds(root_pids: list[int]) -> float:
    """Return the CPU seconds (user + system) used so far by these processes and all their descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    seen: set[int] = set()
    pending = list(root_pids)
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
            # utime, stime, and cutime, cstime: what exited children (a PostgreSQL backend of a closed
            # connection, a recycled worker) used, once their parent reaped them.
            total += sum(int(value) for value in fields[11:15])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / ticks
