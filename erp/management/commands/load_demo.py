"""load_demo [--json]: a demo entity with data, an admin login, a live and a test API key, printed."""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from erp.management.base import FolioCommand
from erp.models import ApiKey, Entity
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_create, api_key_revoke
from erp.services.entities import entity_create
from erp.wiring import wired_steps

DEMO_CODE = "demo"
DEMO_KEY_NAME = "demo (load_demo)"  # the single key earlier versions printed
LIVE_KEY_NAME = "demo live key (load_demo)"
TEST_KEY_NAME = "demo test key (load_demo)"
ADMIN_USERNAME = "admin"


class Command(FolioCommand):
    help = "Create (or refresh) the demo entity, an admin login, a live and a test API key, and print them."

    def add_command_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, **options):
        entity = Entity.objects.filter(code=DEMO_CODE).first()
        if entity is None:
            entity = entity_create(name="Demo Company", code=DEMO_CODE, fiscal_year_start_month=7)
            for step in wired_steps("FOLIO_DEMO_DATA"):
                step(entity=entity)
        password = self._reset_admin()
        live_token, test_token = self._fresh_demo_keys(entity)
        base = options["base_url"].rstrip("/")
        payload = {
            "entity_id": str(entity.id),
            "home_url": f"{base}/",
            "admin_url": f"{base}/admin/",
            "admin_username": ADMIN_USERNAME,
            "admin_password": password,
            "api_docs_url": f"{base}/docs/",
            "openapi_url": f"{base}/v1/openapi.json",
            "live_api_key": live_token,
            "test_api_key": test_token,
        }
        text = "\n".join(
            [
                "Folio demo is ready.",
                f"  Home:      {payload['home_url']}  the dashboard (sign in with the admin login below)",
                f"  Admin:     {payload['admin_url']}  user {ADMIN_USERNAME!r}, password {password!r}",
                f"  API docs:  {payload['api_docs_url']}",
                f"  OpenAPI:   {payload['openapi_url']}",
                f"  Live key:  {live_token}",
                "             works on the live books (the demo data above)",
                f"  Test key:  {test_token}",
                "             works on the test books only: it never sees or changes live data",
                f"  Try:       curl -H 'Authorization: Bearer {test_token}' {base}/v1/entities/{entity.id}",
            ]
        )
        self.emit(options, payload, text)

    def _reset_admin(self) -> str:
        """Create the admin superuser or give it a new password; return the password."""
        # A fresh password every run: it is printed, so it must never be a fixed, guessable one.
        password = secrets.token_urlsafe(12)
        user_model = get_user_model()
        user = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if user is None:
            user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
        else:
            user.set_password(password)
            user.is_active = user.is_staff = user.is_superuser = True
            user.save()
        return password

    def _fresh_demo_keys(self, entity: Entity) -> tuple[str, str]:
        """Revoke the previous demo keys and issue a live and a test one (tokens cannot be shown twice)."""
        previous = ApiKey.objects.filter(
            Q(entity=entity) | Q(entity__live_entity=entity),
            name__in=[DEMO_KEY_NAME, LIVE_KEY_NAME, TEST_KEY_NAME],
            revoked_at__isnull=True,
        )
        for old in previous:
            api_key_revoke(api_key=old, revoked_by="command:load_demo")
        _, live = api_key_create(entity=entity, scopes=sorted(SCOPES), name=LIVE_KEY_NAME, livemode=True)
        _, test = api_key_create(entity=entity, scopes=sorted(SCOPES), name=TEST_KEY_NAME, livemode=False)
        return live, test
