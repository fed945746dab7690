"""The production application server: what `FOLIO_ENV=production ./folio serve` runs (docs/deployment)."""

import os


def production_command(*, python: str, bind: str) -> list[str]:
    """Return the command line serving Folio in production, bound to `bind` (host:port)."""
    workers = os.environ.get("WEB_CONCURRENCY", "4")
    return [python, "-m", "gunicorn", "erp.wsgi:application", "--bind", bind, "--workers", workers]
