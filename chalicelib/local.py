"""Creating what the system needs in an (emulated) AWS account: every table and bucket.

Idempotent: run it as often as you like. The outside acceptance harness calls it inside moto's
`mock_aws()`; the local stack (devstack/) calls it against moto's server.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import TTLAttribute

from .aws import s3
from .config import settings
from .queues import WEBHOOK_QUEUE
from .store import all_models

VERSIONED = "contracts"


def bootstrap() -> None:
    for model in all_models():
        if not model.exists():
            model.create_table(wait=True)
            if any(isinstance(a, TTLAttribute) for a in model.get_attributes().values()):
                model.update_ttl(ignore_update_ttl_errors=False)
    config = settings()
    buckets = {
        "pages": config.pages_bucket,
        "contracts": config.contracts_bucket,
        "exports": config.exports_bucket,
        "ingest": config.ingest_bucket,
    }
    client = s3()
    existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
    for purpose, name in buckets.items():
        if name not in existing:
            _create_bucket(client, name, config.region)
        if purpose == VERSIONED:
            client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if purpose == "contracts":  # the portal's pages post the signed contract straight here
            client.put_bucket_cors(
                Bucket=name, CORSConfiguration=upload_cors(config.pages_base_url)
            )
    _create_queues(config.webhook_queue, config.webhook_dead_letter_queue, config.region)


def _create_queues(name: str, dead_letters: str, region: str) -> None:
    """The webhook deliveries' FIFO queue and its dead-letter queue (as infrastructure/ makes)."""
    import json

    import boto3

    sqs = boto3.client("sqs", region_name=region)
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "false"}
    dead = sqs.create_queue(
        QueueName=dead_letters,
        Attributes={
            **fifo,
            "MessageRetentionPeriod": str(WEBHOOK_QUEUE.dead_letter_retention_seconds),
        },
    )
    arn = sqs.get_queue_attributes(QueueUrl=dead["QueueUrl"], AttributeNames=["QueueArn"])
    redrive = {
        "deadLetterTargetArn": arn["Attributes"]["QueueArn"],
        "maxReceiveCount": str(WEBHOOK_QUEUE.max_receive_count),
    }
    sqs.create_queue(
        QueueName=name,
        Attributes={
            **fifo,
            "VisibilityTimeout": str(WEBHOOK_QUEUE.visibility_timeout_seconds),
            "MessageRetentionPeriod": str(WEBHOOK_QUEUE.retention_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )


def _create_bucket(client: Any, name: str, region: str) -> None:
    if region == "us-east-1":
        client.create_bucket(Bucket=name)
    else:
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def upload_cors(origin: str) -> dict[str, Any]:
    """What the contracts bucket lets a browser do: POST a presigned form from the portal."""
    return {
        "CORSRules": [
            {
                "AllowedMethods": ["POST"],
                "AllowedOrigins": [origin],
                "AllowedHeaders": ["*"],
                "MaxAgeSeconds": 600,
            }
        ]
    }
