"""API keys: create (the token is returned once), authenticate, revoke."""

import functools
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from erp.exceptions import InvalidInput
from erp.models import ApiKey, Entity
from erp.request_context import Actor, acting
from erp.rows import converted, db_converters
from erp.scopes import SCOPES
from erp.services.activity import activity_record
from erp.services.modes import entity_test_books, live_entity_of
from erp.services.rate_limits import TAKE_FROM, Rate, buckets_in_database
from erp.text import refuse_control_characters

LIVE_KIND = "ark_live_ent_"
TEST_KIND = "ark_test_ent_"
_LOOKUP_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O/1/I/L/U: readable when spoken
_SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LOOKUP_LENGTH = 12
SECRET_LENGTH = 40  # 40 base-62 characters ≈ 238 bits of randomness
MAX_NAME = 100  # the key name column
# Recording every use would turn every API read into a write; a minute's resolution is enough
# for "is this key still in use?".
LAST_USED_RESOLUTION = timedelta(minutes=1)
MOVED_TO_TEST_BOOKS = "A test key created before test books existed, moved to them on its first use."

logger = logging.getLogger("folio.api_keys")


class ApiKeyRejected(Exception):
    """The presented token is unknown, malformed or revoked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest stored for a token (a random secret needs no key stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_scopes(scopes) -> list[str]:
    """Return the scopes as a sorted list, rejecting unknown ones."""
    if isinstance(scopes, str):
        scopes = [s for s in (part.strip() for part in scopes.split(",")) if s]
    scopes = sorted(set(scopes))
    if not scopes:
        raise InvalidInput("At least one scope is required.", code="scopes_required", param="scopes")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}. Known scopes: {', '.join(sorted(SCOPES))}.",
            code="unknown_scope",
            param="scopes",
        )
    return scopes


@transaction.atomic
def api_key_create(*, entity: Entity, scopes, name: str = "", livemode: bool = True) -> tuple[ApiKey, str]:
    """Create a key and return it with its token; the token is never retrievable again.

    A live key belongs to the live entity; a test key to its test books (created on first use), so
    it reads and writes only test data (docs/api.md, "Test mode").
    """
    scopes = normalize_scopes(scopes)
    name = refuse_control_characters((name or "").strip(), param="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters.", code="name_too_long", param="name")
    entity = live_entity_of(entity) if livemode else entity_test_books(entity=entity)
    kind = LIVE_KIND if livemode else TEST_KIND
    prefix = kind + "".join(secrets.choice(_LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    token = prefix + secret
    api_key = ApiKey.objects.create(
        entity=entity,
        name=name,
        prefix=prefix,
        secret_hash=hash_token(token),
        livemode=livemode,
        scopes=scopes,
    )
    changes = {"name": [None, api_key.name], "prefix": [None, prefix], "scopes": [None, scopes]}
    activity_record(action="api_key.created", obj=api_key, changes=changes)
    return api_key, token


def api_key_authenticate(*, token: str) -> ApiKey:
    """Return the active key matching a token, recording its use; raise ApiKeyRejected otherwise."""
    return api_key_authenticate_metered(token=token, rate=None).api_key


class Authenticated(NamedTuple):
    """A key a token proved, and what its rate-limit bucket said."""

    api_key: ApiKey
    rate_wait: float | None  # Rate.wait of the token taken from the key's bucket; None when none was taken


def api_key_authenticate_metered(*, token: str, rate: Rate | None) -> Authenticated:
    """api_key_authenticate, also taking a token from the key's rate-limit bucket when `rate` is given.

    The bucket (erp/services/rate_limits.py) is taken by the key lookup's own statement, and only for
    the key the token proves: one round trip for both on every API request.
    """
    kind = token[: len(LIVE_KIND)]
    if kind not in (LIVE_KIND, TEST_KIND) or len(token) != len(LIVE_KIND) + LOOKUP_LENGTH + SECRET_LENGTH:
        raise ApiKeyRejected("The API key is malformed.")
    digest = hash_token(token)
    api_key, bucket = _api_key_with_entity(token[: len(kind) + LOOKUP_LENGTH], digest, rate)
    # Compare digests in constant time; an unknown prefix still compares against a digest so timing
    # does not reveal which prefixes exist.
    expected = api_key.secret_hash if api_key else "0" * 64
    if not hmac.compare_digest(expected, digest) or api_key is None:
        raise ApiKeyRejected("The API key is not valid.")
    if api_key.revoked_at is not None:
        raise ApiKeyRejected("The API key has been revoked.")
    if api_key.livemode != api_key.entity.livemode:
        api_key = _moved_to_test_books(api_key)
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return Authenticated(api_key, None if bucket is None else rate.wait(*bucket))


@transaction.atomic
def _moved_to_test_books(api_key: ApiKey) -> ApiKey:
    """Move a test key issued before test books existed (to the live entity) to its test books, once."""
    books = entity_test_books(entity=api_key.entity)
    # Two first uses at once: the second UPDATE waits for the first's row lock, then matches nothing.
    moved = ApiKey.objects.filter(pk=api_key.pk, livemode=False).exclude(entity=books).update(entity=books)
    api_key.entity = books
    if moved:
        # A key's entity is master data: the move is a write of the key's own, in the test books' log
        # (said in words: the books' own id is never shown through the API, docs/api.md "Test mode").
        actor = Actor(type="api_key", id=str(api_key.pk), name=api_key.prefix, channel="api")
        with acting(actor):
            activity_record(action="api_key.updated", obj=api_key, reason=MOVED_TO_TEST_BOOKS)
        logger.info(
            "test key %s (%s) moved to the test books of entity %s",
            api_key.prefix,
            api_key.id,
            books.live_entity_id,
        )
    return api_key


def _api_key_with_entity(
    prefix: str, digest: str, rate: Rate | None
) -> tuple[ApiKey | None, tuple[bool, float] | None]:
    """Return the key with this prefix and its entity, read together by one indexed query, or None.

    What `ApiKey.objects.select_related("entity").filter(prefix=…).first()` returns, without compiling
    that query on every request: every API request starts here, and the ORM spent more CPU building
    the statement than PostgreSQL spends running it. Nothing is cached but the statement's text, so a
    revocation takes effect on the very next request. With `rate` the same statement takes a token from
    the bucket of a key whose digest matches and which is not revoked, and the bucket's answer
    (allowed, tokens) comes second; None when no token was taken.
    """
    metered = rate is not None and buckets_in_database()
    statement = _lookup_statement(metered)
    params = {"prefix": prefix}
    if metered:
        params |= {"digest": digest, "burst": rate.burst, "rate": rate.per_second}
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, None
    values = converted(row[: statement.end], statement.converters)
    entity = Entity.from_db(connection.alias, statement.entity_fields, values[statement.split :])
    api_key = ApiKey.from_db(connection.alias, statement.key_fields, values[: statement.split])
    ApiKey._meta.get_field("entity").set_cached_value(api_key, entity)
    allowed, tokens = row[statement.end :] if metered else (None, None)
    return api_key, None if allowed is None else (allowed, tokens)


class _LookupStatement(NamedTuple):
    sql: str
    key_fields: list[str]
    entity_fields: list[str]
    split: int  # where the entity's columns begin
    end: int  # where the bucket's answer begins (metered statements)
    converters: list[list]  # per column, what the ORM would apply to the value read (usually nothing)


@functools.cache
def _lookup_statement(metered: bool) -> _LookupStatement:
    """Build the key lookup's SQL from the models, once per process (with the bucket's take, if metered)."""
    quote = connection.ops.quote_name
    key_fields, entity_fields = ApiKey._meta.concrete_fields, Entity._meta.concrete_fields
    columns = [f"k.{quote(f.column)}" for f in key_fields] + [f"e.{quote(f.column)}" for f in entity_fields]
    entity_id, entity_pk = ApiKey._meta.get_field("entity").column, Entity._meta.pk.column
    column = {f.name: f"c{index}" for index, f in enumerate(key_fields)}  # the key's columns, in `found`
    sql = (
        f"SELECT {', '.join(f'{c} AS c{index}' for index, c in enumerate(columns))}"
        f" FROM {quote(ApiKey._meta.db_table)} AS k"
        f" JOIN {quote(Entity._meta.db_table)} AS e ON e.{quote(entity_pk)} = k.{quote(entity_id)}"
        f" WHERE k.{quote(ApiKey._meta.get_field('prefix').column)} = %(prefix)s"
    )
    if metered:
        # The bucket's key as api_key_bucket() spells it (a UUID's text is the same in both).
        rows = (
            f"SELECT 'key:' || found.{column['id']}, %(burst)s::float8 - 1, true, statement_timestamp()"
            f" FROM found WHERE found.{column['secret_hash']} = %(digest)s"
            f" AND found.{column['revoked_at']} IS NULL"
        )
        sql = (
            f"WITH found AS ({sql}), taken AS ({TAKE_FROM.format(rows=rows)})"
            " SELECT found.*, taken.allowed, taken.tokens FROM found LEFT JOIN taken ON true"
        )
    return _LookupStatement(
        sql=sql,
        key_fields=[f.attname for f in key_fields],
        entity_fields=[f.attname for f in entity_fields],
        split=len(key_fields),
        end=len(columns),
        converters=db_converters((*key_fields, *entity_fields)),
    )


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, revoked_by: str = "") -> ApiKey:
    """Revoke a key, recording who did it; revoking twice keeps the first revocation."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = revoked_by
        locked.save(update_fields=["revoked_at", "revoked_by"])
        activity_record(
            action="api_key.revoked", obj=locked, changes={"revoked_at": [None, locked.revoked_at]}
        )
        logger.info(
            "api key revoked: %s (%s) of entity %s by %s",
            locked.prefix,
            locked.id,
            locked.entity_id,
            revoked_by or "unnamed actor",
        )
    return locked
