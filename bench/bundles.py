"""(f) Each Lambda bundle as it ships (infrastructure/bundles.py): its size against its limit, and
how long a cold start spends importing its handlers, measured as Lambda runs them: a fresh process
of a clean virtual environment with only the unpacked bundle to import from, writing no bytecode.
For the rendering function also the first chart of a cold start (importing matplotlib)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from infrastructure.bundles import BUNDLES, MB, Bundle, build, size_of

PROBE = Path(__file__).resolve().parents[1] / "tests" / "support" / "bundle_probe.py"
RUNS = 5


def _cold(python: Path, task: Path, orders: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [str(python), "-I", str(PROBE)],
        input=json.dumps({"task": str(task), "imports": [], "absent": [], **orders}),
        capture_output=True,
        text=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin", "HOME": str(task.parent)},
        check=True,
    )
    findings: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return findings


def _first_chart() -> dict[str, Any]:
    """A week of quarter-hours, as the API sends it (what the PNG of a meter page draws)."""
    from chalicelib.domain.brussels import slot_bounds_iso
    from chalicelib.domain.volumes import ChannelSeries
    from chalicelib.render import requests

    starts: list[str] = []
    ends: list[str] = []
    from datetime import date, timedelta

    for offset in range(7):
        bounds = slot_bounds_iso(date(2025, 3, 24) + timedelta(days=offset), 15)  # with 92 slots
        starts += bounds[:-1]
        ends += bounds[1:]
    values = [(index * 37) % 900 for index in range(len(starts))]
    series = ChannelSeries(starts=starts, ends=ends, values=values, qualities=[1] * len(starts))
    chart = requests.VolumesChart({"offtake": series}, "kWh", "Week", fine=True)
    return {"function": "functions.render.handler", "arguments": [requests.to_event(chart), None]}


def _measure(bundle: Bundle, python: Path, work: Path, runs: int) -> None:
    archive = build(bundle)
    size = size_of(archive)
    task = work / bundle.name / "task"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(task)
    cold = [_cold(python, task, {"handlers": list(bundle.handlers)}) for _ in range(runs)]
    times = sorted(findings["import_ms"] for findings in cold)
    # What the import alone loads of the AWS SDK: the API's should load neither (they load on
    # the first request that needs them; tests/unit/test_cold_start.py holds it).
    loaded = [name for name in ("botocore", "pynamodb") if name in cold[0]["modules"]]
    print(
        f"(f) {bundle.name:<8} {size.zipped / MB:5.1f} MB zipped, {size.unpacked / MB:5.1f} MB "
        f"unpacked (limit {bundle.limit_mb} MB), {size.files:,} files; handlers' cold import: "
        f"median {statistics.median(times):.0f} ms over {runs} fresh processes "
        f"(min {times[0]:.0f}, max {times[-1]:.0f}), loading {', '.join(loaded) or 'no botocore'}"
        + (" (this is `import app`; goal: at most 250 ms)" if bundle.name == "api" else "")
    )
    if bundle.name == "render":
        first = []
        for _ in range(runs):
            findings = _cold(python, task, {"handlers": [], "call": _first_chart(), "timed": True})
            first.append(findings["call_ms"])
        print(
            f"    render: a cold start's first chart (a week of quarter-hours, importing "
            f"matplotlib): median {statistics.median(first):.0f} ms"
        )


def run(quick: bool = False) -> None:
    runs = 1 if quick else RUNS
    with tempfile.TemporaryDirectory(prefix="bundles-") as folder:
        work = Path(folder)
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True
        )
        for bundle in BUNDLES.values():
            _measure(bundle, work / "venv" / "bin" / "python", work, runs)


if __name__ == "__main__":
    run()
