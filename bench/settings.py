"""Benchmark settings: Folio's, on a separate database, plus django-sequences for comparison."""

from erp.settings import *  # noqa: F403
from erp.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "sequences"]
DATABASES["default"]["NAME"] = "folio_bench"
DATABASES["default"]["CONN_MAX_AGE"] = None
LOGGING_CONFIG = None
# Measure what production runs: DEBUG logs every query in connection.queries, costing the client CPU
# per statement that a production worker does not spend.
DEBUG = False
# The benchmarks serve no static files; pointed at an uncollected STATIC_ROOT, WhiteNoise would warn
# in every gunicorn worker.
STATIC_ROOT = None
