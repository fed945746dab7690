"""Run a function in N worker processes for a fixed time and count what they did."""

import multiprocessing
import os
import time
from collections.abc import Callable

import django

DURATION_S = float(os.environ.get("BENCH_DURATION", "5"))


def setup_django() -> None:
    """Configure Django with the benchmark settings (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def _worker(index: int, work: Callable, args: tuple, start, results, duration: float) -> None:
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    step = work(index, *args)  # returns a callable doing one unit, returning how many numbers
    step()  # warm the connection and caches outside the measured window
    start.wait()
    done = 0
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        done += step()
    results.put(done)
    connections.close_all()


def run_workers(workers: int, work: Callable, *args, duration: float = DURATION_S) -> float:
    """Return units per second achieved by `workers` processes running `work(index, *args)()`."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(workers)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(i, work, args, start, results, duration)) for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    total = sum(results.get(timeout=duration + 120) for _ in procs)
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"a benchmark worker failed (exit {proc.exitcode})")
    return total / duration
