"""The jobs' one registry (chalicelib.jobs.JOBS): every job has its Lambda handler, its schedule
and its name in the operators' console; nothing names a job the registry does not have."""

from __future__ import annotations

import functions.jobs as handlers
from chalicelib.jobs import JOBS
from infrastructure.bundles import BUNDLES
from infrastructure.functions import SCHEDULES


def test_every_job_has_a_handler_and_a_schedule() -> None:
    defined = {name for name in vars(handlers) if not name.startswith("_") and name.islower()}
    assert {job.handler for job in JOBS.values()} <= defined
    assert {handler for _, handler, _ in SCHEDULES} == {
        f"functions.jobs.{job.handler}" for job in JOBS.values()
    }
    assert set(BUNDLES["jobs"].handlers) == {f"functions.jobs.{j.handler}" for j in JOBS.values()}
    for job in JOBS.values():
        assert getattr(handlers, job.handler).__name__ == job.handler
