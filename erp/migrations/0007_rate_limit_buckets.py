"""The shared store of the API rate limits (erp/services/rate_limits.py): a bucket per key or address."""

from django.db import migrations

# UNLOGGED: a bucket is worth nothing after a crash (it refills within seconds), so its writes skip the
# WAL. No model: only erp/services/rate_limits.py (and the key lookup, erp/services/api_keys.py) write it.
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
