"""python -m bench [issuance] [http] [api] [chains]: run the benchmarks, print figures and ratios."""

import datetime
import platform
import subprocess
import sys

from bench.harness import DURATION_S, setup_django


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str]) -> int:
    setup_django()
    from bench import api, issuance, payments_http

    suites = {
        "issuance": issuance.run,
        "http": payments_http.run,
        "api": api.run_tables,
        "chains": issuance.run_chains,  # also part of "issuance"; alone, the hash chains' cost
    }
    default = ["issuance", "http"]  # `api` is asked for by name: it starts a server per configuration
    chosen = argv or default
    unknown = [name for name in chosen if name not in suites]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(suites)}", file=sys.stderr)
        return 2
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"# Folio benchmarks — {platform.processor() or platform.machine()}, {DURATION_S:.0f} s per figure, "
        f"{now}, commit {_commit()}"
    )
    for name in chosen:
        print(f"\n## {name}\n")
        if name == "api":
            suites[name]()  # prints its own tables as it measures
            continue
        print("| scenario | workers | per second | ratio |")
        print("|---|---:|---:|---|")
        for scenario, workers, rate, note in suites[name]():
            print(f"| {scenario} | {workers} | {rate:,.0f} | {note} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
