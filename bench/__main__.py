"""`make bench`: run every benchmark once and print its figures (not pass/fail)."""

from __future__ import annotations

from . import expiry_reads, import_time, meterdata

BENCHMARKS = [import_time, meterdata, expiry_reads]


def main() -> None:
    for module in BENCHMARKS:
        print(f"== {module.__name__.rsplit('.', 1)[-1]}", flush=True)
        module.run()


if __name__ == "__main__":
    main()
