"""Every benchmark runs, on small sizes, in each `make test`: a benchmark that breaks fails the
suite instead of rotting until someone next runs `make bench`. It prints figures, and only figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench import scale
from infrastructure.bundles import BUNDLES

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_prints_its_figures_on_small_sizes() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,  # building the Lambda bundles, unless the infrastructure tests did
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    sections = [line for line in lines if line.startswith("== ")]
    assert sections == [
        "== bundles",
        "== meterdata",
        "== expiry_reads",
        "== exports",
        "== scale",
        "== cost",
    ]
    figures = [line for line in lines if not line.startswith("== ")]
    assert len(figures) >= 10
    assert not [line for line in figures if line.lstrip().startswith("{")], "log or EMF lines"
    assert any(line.startswith("(a) ") and " ms" in line for line in figures)
    sized = [line for line in figures if line.startswith("(f) ")]
    assert len(sized) == len(BUNDLES) and all("MB unpacked" in line for line in sized)
    assert any(line.startswith("(g) export of 5 EANs") for line in figures)
    assert any(
        line.startswith("whole job: expired 10,") or "expired 10" in line for line in figures
    )
    assert any(
        line.startswith("(i) ingest") and "write units per series-day" in line for line in figures
    )
    assert any(line.startswith("(k) a month") for line in figures)
    bounded = [line for line in figures if line.startswith("(h) ") and "(bounded page)" in line]
    assert len(bounded) == len(scale.BOUNDED) and all("items ratio" in line for line in bounded)
