"""Benchmark settings: Folio's, on a separate database, plus django-sequences for comparison."""

import os

from erp.settings import *  # noqa: F403
from erp.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "sequences"]
# BENCH_DATABASE lets two measurements run side by side without dropping each other's database.
DATABASES["default"]["NAME"] = os.environ.get("BENCH_DATABASE", "folio_bench")
if "owner" in DATABASES:
    DATABASES["owner"]["NAME"] = DATABASES["default"]["NAME"]
# The HTTP baseline (bench/bare.py) is mounted here only, never in Folio's own URLs.
ROOT_URLCONF = "bench.urls"
if not os.environ.get("BENCH_SERVER"):
    # The harness's own processes: no structured log lines on the console. A bench server (BENCH_SERVER
    # set) keeps Folio's logging configuration, as production runs it.
    LOGGING_CONFIG = None
# One key drives every client: its rate-limit bucket is still taken on each request (the cost measured),
# but set far above what the clients can send, so no answer is a 429.
FOLIO_API_KEY_RATE = "100000000/s"
FOLIO_API_KEY_BURST = 100_000_000
if os.environ.get("BENCH_NO_RATE_LIMIT"):
    # What the rate limit costs: the same run without the throttle (docs/benchmarks.md).
    REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
# Measure what production runs: DEBUG logs every query in connection.queries, costing the client CPU
# per statement that a production worker does not spend.
DEBUG = False
# The benchmarks serve no static files; pointed at an uncollected STATIC_ROOT, WhiteNoise would warn
# in every gunicorn worker.
STATIC_ROOT = None
