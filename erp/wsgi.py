"""WSGI entry point (gunicorn erp.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")
application = get_wsgi_application()
