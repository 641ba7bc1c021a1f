"""(e) How long a Lambda cold start spends importing the app, and whether matplotlib came along."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import time, sys, json; t = time.perf_counter(); import app; "
    "print(json.dumps({'ms': (time.perf_counter() - t) * 1000, "
    "'matplotlib': 'matplotlib' in sys.modules, 'boto3': 'boto3' in sys.modules}))"
)
RUNS = 7


def run(quick: bool = False) -> None:
    runs = 2 if quick else RUNS
    samples = []
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        samples.append(json.loads(output.strip().splitlines()[-1]))
    times = sorted(sample["ms"] for sample in samples)
    print(
        f"import app: median {statistics.median(times):.0f} ms over {runs} fresh processes "
        f"(min {times[0]:.0f}, max {times[-1]:.0f})"
    )
    print(
        f"matplotlib imported: {any(s['matplotlib'] for s in samples)}; "
        f"boto3 imported: {any(s['boto3'] for s in samples)}"
    )


if __name__ == "__main__":
    run()
