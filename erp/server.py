"""The production application server: what `FOLIO_ENV=production ./folio serve` runs.

granian (HTTP in Rust, Folio as a WSGI application): one worker process per core, each running one
request at a time in Python (so no two requests of a worker contend for the GIL) while its Rust threads
parse HTTP and keep connections alive. Each worker holds a persistent database connection. Chosen over
gunicorn's sync and threaded workers by measuring all three on the same runs (docs/benchmarks.md,
"HTTP: the API path"). WEB_CONCURRENCY (worker processes, default: the number of cores) and FOLIO_BIND
(default 127.0.0.1:8000) size and place it.
"""

import os
import sys


def production_command(*, python: str, bind: str) -> list[str]:
    """Return the command line serving Folio in production, bound to `bind` (host:port)."""
    host, _, port = bind.rpartition(":")
    workers = os.environ.get("WEB_CONCURRENCY") or str(os.cpu_count() or 2)
    return [
        python,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "erp.wsgi:application",
        "--host",
        host.strip("[]") or "127.0.0.1",
        "--port",
        port,
        "--workers",
        workers,
        # One Python thread per worker: a request never waits for the GIL behind another of its worker.
        "--blocking-threads",
        "1",
        "--no-ws",
        "--respawn-failed-workers",
    ]


def main() -> None:
    """Replace this process with the production server."""
    command = production_command(python=sys.executable, bind=os.environ.get("FOLIO_BIND", "127.0.0.1:8000"))
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
