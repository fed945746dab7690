"""The hash chains' canonical text and links, as the database writes them (docs/audit.md, "Hash chains").

Each record of a chain carries chain_hash = hex(SHA-256(previous hash + UTF-8(canonical text))), the
previous hash taken as its 32 bytes (none for the first record). The canonical text is the record's type, its
position in the chain, then its fields in a fixed order, each written as ``<UTF-8 byte length>:<text>,``
(SQL NULL as ``~,``). numbering/migrations/0007_chains.sql and 0008 write the same in SQL;
tools/verify_export.py repeats these few lines with the standard library alone.
"""

import datetime
import hashlib
from collections.abc import Iterable

NULL_FIELD = "~,"


def chain_field(value: str | None) -> str:
    """Return one field of a canonical text."""
    if value is None:
        return NULL_FIELD
    return f"{len(value.encode())}:{value},"


def chain_time(at: datetime.datetime) -> str:
    """Return a timestamp as canonical texts write it: UTC, microseconds, ISO 8601."""
    # isoformat: the same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ") in half the time (the issuing path
    # renders one per statement); "+00:00" becomes "Z".
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")[:-6] + "Z"


def chain_canonical(record_type: str, position: int, fields: Iterable[str | None]) -> str:
    """Return a record's canonical text: its type, its position, then its fields."""
    return chain_field(record_type) + chain_field(str(position)) + "".join(chain_field(f) for f in fields)


def chain_link(previous_hash: str, canonical: str) -> str:
    """Return the chain_hash of a record whose canonical text is `canonical` ("" before the first)."""
    return hashlib.sha256(bytes.fromhex(previous_hash) + canonical.encode()).hexdigest()
