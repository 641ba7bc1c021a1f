"""`make bench`: run every benchmark once and print its figures (not pass/fail).

`python -m bench --quick` runs each on small sizes in seconds; `make test` does that (through
tests/bench), so a benchmark cannot rot unseen."""

from __future__ import annotations

import sys

from . import bundles, cost, expiry_reads, exports, meterdata, scale

BENCHMARKS = [bundles, meterdata, expiry_reads, exports, scale, cost]


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    for module in BENCHMARKS:
        print(f"== {module.__name__.rsplit('.', 1)[-1]}", flush=True)
        module.run(quick=quick)


if __name__ == "__main__":
    main()
