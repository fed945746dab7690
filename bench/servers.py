"""Application servers the HTTP benchmark can start: "gunicorn-sync:4", "gunicorn-gthread:2x8", "granian:2x8".

`production` is the command `FOLIO_ENV=production ./folio serve` runs (erp/server.py), only bound to a
free port on 127.0.0.1; the others are there to compare against it in the same run.
"""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Extra packages for servers Folio does not depend on (e.g. granian), installed with pip --target.
EXTRA_PATH = os.environ.get("BENCH_EXTRA_PATH", "")


def server_command(spec: str, port: int) -> list[str]:
    """Return the command line of a server spec, bound to 127.0.0.1:port."""
    kind, _, size = spec.partition(":")
    workers, _, threads = size.partition("x")
    bind = f"127.0.0.1:{port}"
    if kind == "production":
        from erp.server import production_command

        return production_command(python=sys.executable, bind=bind)
    gunicorn = [sys.executable, "-m", "gunicorn", "erp.wsgi:application", "--bind", bind]
    gunicorn += ["--log-level", "warning", "--workers", workers or "4"]
    if kind == "gunicorn-sync":
        return gunicorn
    if kind == "gunicorn-gthread":
        return [*gunicorn, "--worker-class", "gthread", "--threads", threads or "4"]
    if kind == "granian":
        command = [sys.executable, "-m", "granian", "--interface", "wsgi", "erp.wsgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--workers", workers or "2"]
        command += ["--blocking-threads", threads or "1", "--log-level", "warning", "--no-ws"]
        return command
    raise ValueError(
        f"unknown server {spec!r}: production, gunicorn-sync:W, gunicorn-gthread:WxT, granian:WxT"
    )


def start(spec: str, port: int, settings: str = "bench.settings") -> subprocess.Popen:
    """Start a server and wait until /healthz answers."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=settings, DEBUG="0", BENCH_SERVER="1")
    if EXTRA_PATH:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), EXTRA_PATH) if p)
    server = subprocess.Popen(server_command(spec, port), cwd=ROOT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{spec} exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{spec} did not become healthy within 90 s")


def stop(server: subprocess.Popen) -> None:
    """Stop a server started by start()."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)
