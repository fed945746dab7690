"""The baseline of the chains benchmark: the issuing statement as it was before hash chains (commit cb29d90).

Run by the benchmark's "without chains" workers in place of numbering/services/issuing.py's statement,
on the same database and the same table. It writes chain_hash = '' (not NULL), so the trigger that
links rows written by anything but the issuing statement (numbering/migrations/0007_chains.sql) does
not fire: the row is written exactly as before chains, plus one constant column. Its numbers are not
linked, so the benchmark database's chains do not verify; nothing else uses that database.
"""

_TAKE_SQL = """
WITH bump AS (
    UPDATE numbering_numberingperiod AS p
       SET last_value = p.last_value + %(count)s
     WHERE p.sequence_id = %(sequence_id)s
       AND p.start = %(start)s
       AND p.last_value <= %(limit)s - %(count)s
       AND EXISTS (
           SELECT 1 FROM numbering_sequence AS s
            WHERE s.id = %(sequence_id)s AND s.version = %(version)s AND s.status = 'active'
       )
       AND set_config('lock_timeout', %(lock_timeout)s, true) IS NOT NULL
    RETURNING p.id, p.start, p."end", p.label, p.start_value, p.last_value, p.created_at,
              p.last_value - %(count)s + 1 AS first_value
), issued AS (
    INSERT INTO numbering_issuednumber
        (id, entity_id, sequence_id, period_id, value, number, unique_in_period, status, document_type,
         document_id, reference, issued_at, issued_by, void_reason, voided_by, chain_hash)
    SELECT (%(id_prefix)s || lpad(to_hex(%(id_tail)s::bigint # (v.value - bump.first_value)), 12, '0'))::uuid,
           %(entity_id)s, %(sequence_id)s, bump.id, v.value,
           %(head)s || {number_sql} || %(tail)s, %(unique_in_period)s, 'issued', %(document_type)s,
           %(document_id)s, %(reference)s, %(issued_at)s, %(issued_by)s, '', '', ''
      FROM bump, generate_series(bump.first_value, bump.last_value) AS v(value)
)
SELECT bump.id, bump.start, bump."end", bump.label, bump.start_value, bump.last_value, bump.created_at,
       bump.first_value, true AS linked
  FROM bump
"""
# The statement sends chain parameters it does not use (psycopg ignores unused named parameters) and
# answers `linked` as the chained statement does.
_NUMERIC_SQL = "lpad(v.value::text, greatest(%(width)s, length(v.value::text)), '0')"
_ALPHA_SQL = "numbering_alpha_text(v.value, %(width)s)"
UNCHAINED_TAKE_SQLS = {
    False: _TAKE_SQL.format(number_sql=_NUMERIC_SQL),
    True: _TAKE_SQL.format(number_sql=_ALPHA_SQL),
}


def issue_without_chains() -> None:
    """Make this process issue with the statement from before chains (the benchmark's workers only)."""
    from numbering.services import issuing

    # The one-number statement (count == 1) and the block statement alike.
    issuing._TAKE_SQLS = issuing._TAKE_ONE_SQLS = UNCHAINED_TAKE_SQLS
