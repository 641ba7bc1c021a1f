"""Thin Lambda handler: run a history export job (chalicelib/services/export_job.py), started by
the API without waiting. A run stops a minute before its time limit and starts the next one,
which goes on from there; Lambda retries a failed run twice, and it too finds the job where it
stopped."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from chalicelib.config import check_deployed
from chalicelib.observability import metrics
from chalicelib.services import export_job

check_deployed()  # missing configuration fails the cold start, not each event


MARGIN_SECONDS = 60  # one EAN's part takes seconds; this leaves time to save and hand over


@metrics.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    stop_by = None
    if context is not None:
        left = context.get_remaining_time_in_millis() / 1000
        stop_by = time.monotonic() + left - MARGIN_SECONDS
    job = export_job.run(str(event["job"]), datetime.now(UTC), stop_by)
    return {"job": event["job"], "status": job.status.value if job else "unknown"}
