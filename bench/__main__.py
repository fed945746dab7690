"""python -m bench [issuance] [http]: run the benchmarks and print a table of figures and ratios."""

import platform
import sys

from bench.harness import DURATION_S, setup_django


def main(argv: list[str]) -> int:
    setup_django()
    from bench import issuance, payments_http

    suites = {"issuance": issuance.run, "http": payments_http.run}
    chosen = argv or list(suites)
    unknown = [name for name in chosen if name not in suites]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(suites)}", file=sys.stderr)
        return 2
    print(f"# Folio benchmarks — {platform.processor() or platform.machine()}, {DURATION_S:.0f} s per figure")
    for name in chosen:
        print(f"\n## {name}\n")
        print("| scenario | workers | per second | ratio |")
        print("|---|---:|---:|---|")
        for scenario, workers, rate, note in suites[name]():
            print(f"| {scenario} | {workers} | {rate:,.0f} | {note} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
