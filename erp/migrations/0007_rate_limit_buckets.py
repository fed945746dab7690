"""The shared store of the API rate limits (erp/api/throttling.py): one token bucket per key or address."""

from django.db import migrations

# UNLOGGED: a bucket is worth nothing after a crash (it refills within seconds), so its writes skip the
# WAL. No model: only erp/api/throttling.py reads and writes it, with one statement per request.
CREATE = """
CREATE UNLOGGED TABLE erp_rate_bucket (
    key text PRIMARY KEY,
    tokens double precision NOT NULL,
    allowed boolean NOT NULL,
    updated_at timestamptz NOT NULL
)
"""


class Migration(migrations.Migration):
    dependencies = [("erp", "0006_entity_lock_date")]

    operations = [migrations.RunSQL(CREATE, "DROP TABLE erp_rate_bucket")]
