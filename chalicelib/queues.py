"""The webhook deliveries' queues, defined once: the local bootstrap and the CDK stack both make
them from this, as both make the tables from the PynamoDB models."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QueueSettings:
    # Longer than the delivery function's timeout (2 min), so a message is not handed to a second
    # worker while the first still holds it.
    visibility_timeout_seconds: int = 180
    retention_seconds: int = 4 * 24 * 3600
    dead_letter_retention_seconds: int = 14 * 24 * 3600
    # The code itself dead-letters after its last attempt; this only catches poison messages.
    max_receive_count: int = 50


WEBHOOK_QUEUE = QueueSettings()
