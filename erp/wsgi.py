"""WSGI entry point (granian and gunicorn serve `erp.wsgi:application`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
application = get_wsgi_application()


def _load_and_freeze() -> None:
    """Import every view now, then keep what start-up built out of the garbage collector's sweeps.

    A worker holds ~150,000 objects from start-up (Django, DRF, the admin, every app's modules) that
    live as long as it does. Python's full collection walks them all: about 100 ms during which the
    worker answers nothing, once every few thousand requests (docs/benchmarks.md, "HTTP: the API
    path"). Frozen, they are skipped; what requests create is still collected as before.
    """
    get_resolver().url_patterns  # noqa: B018 (the URLconf imports every app's API and admin)
    gc.collect()
    gc.freeze()


_load_and_freeze()
