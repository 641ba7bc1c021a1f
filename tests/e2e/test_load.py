"""`make load` in miniature: its workload against the session's local stack, briefly. Every
kind of request runs and none fails (the figures themselves are for `make load` to print)."""

from __future__ import annotations

from bench.load import Tally, drive, workload
from devstack.launch import RunningStack


def test_the_load_workload_runs_without_errors(local_stack: RunningStack) -> None:
    tally = Tally()
    drive(local_stack, tally, seconds=3, concurrency=4)
    assert {kind for kind, _, _ in workload(local_stack)} == set(tally.latencies)
    assert {kind: errors for kind, errors in tally.errors.items() if errors} == {}
