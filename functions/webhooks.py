"""Thin Lambda handler: webhook deliveries from the SQS FIFO queue (partial batch responses)."""

from __future__ import annotations

from typing import Any

from chalicelib.config import check_deployed
from chalicelib.observability import metrics
from chalicelib.services import webhooks

check_deployed()  # missing configuration fails the cold start, not each event


@metrics.handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failed = webhooks.deliver(event.get("Records", []))
    # Those come back after their back-off (the visibility timeout the code set); the rest is done.
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
