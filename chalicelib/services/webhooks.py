"""Webhooks: an EDV's administrators register HTTPS endpoints; its feed events go out to them
through an SQS FIFO queue (one message group per endpoint and mandate: in order per mandate),
signed per Standard Webhooks, retried with back-off for over a day, then dead-lettered and the
endpoint marked failing. The feed is the outbox: each endpoint remembers up to which sequence
number it was queued, so a crash between commit and queueing loses nothing (the sweep job
catches up), at the price of an occasional second delivery with the same webhook-id."""

from __future__ import annotations

import json
import math
import os
import secrets
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from ..config import settings
from ..domain import quotas
from ..domain import webhooks as rules
from ..domain.errors import DomainError
from ..domain.exports import ExportJob
from ..domain.identifiers import is_shaped
from ..domain.vocabulary import ApplicationStatus
from ..domain.webhooks import Endpoint
from ..observability import Metric, logger, metrics
from ..store import feed as feed_store
from ..store import machine_access as machine_access_store
from ..store import mandates as mandates_store
from ..store import onboarding as onboarding_store
from ..store import webhooks as webhooks_store
from . import directory, entitlements, outbound


@cache
def _sqs() -> Any:
    import boto3

    return boto3.client("sqs", region_name=settings().region)


@cache
def _queue_url(name: str) -> str:
    return str(_sqs().get_queue_url(QueueName=name)["QueueUrl"])


def queue_url() -> str:
    return _queue_url(settings().webhook_queue)


def dead_letter_queue_url() -> str:
    return _queue_url(settings().webhook_dead_letter_queue)


# Endpoints -------------------------------------------------------------------------------------


def register(
    sub: str,
    enterprise_number: str,
    url: str,
    event_types: list[str],
    description: str,
    now: datetime,
) -> Endpoint:
    """The new endpoint, with its secret (shown this once). It gets the events from now on."""
    directory.admin_of(sub, enterprise_number)
    onboarding_store.active_application(enterprise_number)
    rules.check_endpoint(url, event_types, settings().is_local)
    have = len(webhooks_store.of_edv(enterprise_number))
    quotas.check_room("webhook_endpoints", have, quotas.WEBHOOK_ENDPOINTS)
    endpoint = Endpoint(
        id=f"whe_{secrets.token_hex(12)}",
        edv=enterprise_number,
        url=url,
        event_types=tuple(sorted(set(event_types))),
        secret=rules.new_secret(),
        created_at=now,
        created_by=sub,
        description=description,
        dispatched_seq=feed_store.last_seq(enterprise_number),
    )
    webhooks_store.create(endpoint)
    return endpoint


def endpoints(sub: str, enterprise_number: str) -> list[Endpoint]:
    directory.admin_of(sub, enterprise_number)
    return webhooks_store.of_edv(enterprise_number)


def endpoint(sub: str, enterprise_number: str, endpoint_id: str) -> Endpoint:
    directory.admin_of(sub, enterprise_number)
    shaped = is_shaped("webhook_endpoint", endpoint_id)
    found = webhooks_store.get(enterprise_number, endpoint_id) if shaped else None
    if found is None:
        raise DomainError("not_found", "There is no such webhook endpoint.")
    return found


def remove(sub: str, enterprise_number: str, endpoint_id: str) -> None:
    endpoint(sub, enterprise_number, endpoint_id)
    webhooks_store.delete(enterprise_number, endpoint_id)


def deliveries(
    sub: str, enterprise_number: str, endpoint_id: str, limit: int, start: dict[str, Any] | None
) -> tuple[list[webhooks_store.DeliveryItem], dict[str, Any] | None]:
    endpoint(sub, enterprise_number, endpoint_id)
    return webhooks_store.page_deliveries(endpoint_id, limit, start)


def send_test(sub: str, enterprise_number: str, endpoint_id: str, now: datetime) -> str:
    """A `webhook_test` event, WEBHOOK_TESTS_PER_HOUR an hour per endpoint."""
    target = endpoint(sub, enterprise_number, endpoint_id)
    seconds = now.timestamp()
    hour = math.floor(seconds / 3600)
    used = machine_access_store.count_webhook_test(target.id, hour)
    retry = max(int((hour + 1) * 3600 - seconds), 1)
    quotas.check_rate("webhook_test_events_an_hour", used, quotas.WEBHOOK_TESTS_PER_HOUR, retry)
    message_id = f"evt_test_{secrets.token_hex(10)}"
    _enqueue(target, message_id, rules.test_payload(enterprise_number, now), "test", None, now)
    return message_id


# Dispatch: feed → queue -------------------------------------------------------------------------


def dispatch(enterprise_number: str, now: datetime) -> int:
    """Queue the EDV's new feed events for each of its endpoints; how many messages."""
    return sum(
        _dispatch_endpoint(target, now) for target in webhooks_store.of_edv(enterprise_number)
    )


def dispatch_quietly(edvs: set[str], now: datetime) -> None:
    """Right after a mandate change. If it fails, the sweep job queues the events later."""
    for edv in edvs:
        try:
            dispatch(edv, now)
        except Exception:
            logger.exception("webhook dispatch failed; the sweep will retry", extra={"edv": edv})


def dispatch_all(now: datetime) -> int:
    """The sweep (a scheduled job): every active EDV's endpoints, caught up with the feed."""
    queued = 0
    start = None
    while True:
        apps, start = onboarding_store.page_applications_by_status(
            ApplicationStatus.ACTIVE, 100, start
        )
        for app in apps:
            queued += dispatch(app.enterprise_number, now)
        if start is None:
            return queued


def data_available(
    ean: str, written: dict[str, tuple[date, date]], report_id: str, now: datetime
) -> None:
    """Tell the EDVs holding an active mandate on the EAN whose period covers the days written
    (per channel, first and last day): a message per channel. A hint, not a record: the data
    itself is safe whatever happens here, so a failure to queue is logged and counted
    (WebhookHintsDropped), and the ingest goes on."""
    try:
        first = min(days[0] for days in written.values())
        last = max(days[1] for days in written.values())
        for mandate in mandates_store.of_ean(ean):
            if not mandate.gives_access_at(now):
                continue  # cheap, before the entitlement's reads
            try:
                granted = entitlements.of(mandate.edv, ean, now)
            except DomainError:
                continue  # the EDV is not active, or this mandate gives nothing now
            if granted.mandate.id != mandate.id or not (
                granted.first <= last and first < granted.end
            ):
                continue
            for target in webhooks_store.of_edv(mandate.edv):
                if "data_available" not in target.event_types:
                    continue
                for channel, (channel_first, channel_last) in written.items():
                    if not (granted.first <= channel_last and channel_first < granted.end):
                        continue
                    message_id = rules.data_event_id(report_id, mandate.id, channel)
                    # Only the days it may read (R8, R9): never a hint about the next occupant's.
                    shown_first, shown_end = granted.clip(
                        channel_first, channel_last + timedelta(days=1)
                    )
                    document = rules.data_payload(
                        mandate, channel, shown_first, shown_end - timedelta(days=1), now
                    )
                    _enqueue(target, message_id, document, "data_available", mandate.id, now)
    except Exception:
        metrics.add(Metric.WEBHOOK_HINTS_DROPPED)
        logger.exception("data_available not queued", extra={"report_id": report_id})


def export_ready(job: ExportJob, now: datetime) -> None:
    """A history export is ready: its id and how many EANs; the links come from its status
    (they are presigned, and would expire in a receiver's log). A hint, as data_available."""
    try:
        for target in webhooks_store.of_edv(job.request.edv):
            if "export_ready" in target.event_types:
                message_id = f"evt_export_{job.id}_{job.run}"
                _enqueue(
                    target, message_id, rules.export_payload(job, now), "export_ready", job.id, now
                )
    except Exception:
        metrics.add(Metric.WEBHOOK_HINTS_DROPPED)
        logger.exception("export_ready not queued", extra={"export": job.id})


def _dispatch_endpoint(target: Endpoint, now: datetime) -> int:
    queued = 0
    while True:
        events = feed_store.page(target.edv, target.dispatched_seq, 100)
        if not events:
            return queued
        for event in events:
            if event.type.value in target.event_types:
                message_id = rules.event_id(target.edv, event.seq)
                document = rules.payload(event)
                _enqueue(target, message_id, document, event.type.value, event.mandate_id, now)
                queued += 1
        if not webhooks_store.advance(target, events[-1].seq):
            return queued  # another dispatcher is on it; what we queued again has the same ids
        target = replace(target, dispatched_seq=events[-1].seq)


def _enqueue(
    target: Endpoint,
    message_id: str,
    document: dict[str, Any],
    event_type: str,
    mandate_id: str | None,
    now: datetime,
) -> None:
    key = webhooks_store.delivery_key(now, message_id)
    webhooks_store.log_queued(target.id, key, message_id, event_type, mandate_id, now)
    body = {
        "edv": target.edv,
        "endpoint": target.id,
        "id": message_id,
        "log": key,
        "event": document,
    }
    _sqs().send_message(
        QueueUrl=queue_url(),
        MessageBody=json.dumps(body, separators=(",", ":")),
        MessageGroupId=f"{target.id}:{mandate_id or message_id}",
        MessageDeduplicationId=f"{target.id}:{message_id}"[:128],
    )


# Delivery: queue → endpoint -----------------------------------------------------------------------


def deliver(records: list[dict[str, Any]], now: datetime | None = None) -> list[str]:
    """The SQS consumer: try each message once; the ids of those to try again later. Within a
    message group, what follows a failure waits for it (in order per mandate)."""
    failed: list[str] = []
    blocked: dict[str, int] = {}  # message group → seconds until its retry
    for record in records:
        group = record.get("attributes", {}).get("MessageGroupId", record["messageId"])
        if group in blocked:
            # Not attempted: it waits as long as the message before it, then follows it.
            _postpone_quietly(record, blocked[group])
            failed.append(record["messageId"])
            continue
        try:
            retry_in = _attempt(record, now or datetime.now(UTC))
        except Exception:
            # One record's fault (a stored URL that cannot be posted to, a body that is not
            # ours) fails that record alone: the batch's others, other EDVs' among them, go on.
            retry_in = _failed_unexpectedly(record, now or datetime.now(UTC))
        if retry_in is not None:
            failed.append(record["messageId"])
            blocked[group] = retry_in
    return failed


def _failed_unexpectedly(record: dict[str, Any], now: datetime) -> int:
    """Logged and counted; its endpoint, if it can be named, is marked failing; it is tried
    again after the first back-off (SQS dead-letters it after its receives)."""
    logger.exception("webhook delivery failed", extra=_about(record))
    metrics.add(Metric.WEBHOOK_ATTEMPTS_FAILED)
    delay = rules.retry_delay(1, _backoff_scale())
    try:
        message = json.loads(record["body"])
        webhooks_store.set_health(message["edv"], message["endpoint"], "internal", now)
    except Exception:
        logger.exception("webhook endpoint not marked", extra=_about(record))
    _postpone_quietly(record, delay)
    return delay


def _about(record: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": record.get("messageId")}


def _postpone_quietly(record: dict[str, Any], seconds: int) -> None:
    """A later retry; if SQS will not take the new visibility, its own timeout brings it back."""
    try:
        _postpone(record, seconds)
    except Exception:
        logger.exception("webhook retry not postponed", extra=_about(record))


def _postpone(record: dict[str, Any], seconds: int) -> None:
    _sqs().change_message_visibility(
        QueueUrl=queue_url(), ReceiptHandle=record["receiptHandle"], VisibilityTimeout=seconds
    )


def _attempt(record: dict[str, Any], now: datetime) -> int | None:
    """None when done with the message (delivered, dead-lettered, or its endpoint is gone);
    else the seconds until the next attempt."""
    message = json.loads(record["body"])
    target = webhooks_store.get(message["edv"], message["endpoint"])
    if target is None:
        return None
    logged = (
        webhooks_store.DeliveryItem.get(target.id, message["log"]) if message.get("log") else None
    )
    attempt = int(logged.attempts if logged else 0) + 1
    status, error = _post(target, message["id"], message["event"], now)
    if error is None:
        webhooks_store.log_attempt(target.id, message["log"], attempt, "delivered", now, status)
        metrics.add(Metric.WEBHOOKS_DELIVERED)
        if target.status != "active":
            webhooks_store.set_health(target.edv, target.id, None, now)
        return None
    metrics.add(Metric.WEBHOOK_ATTEMPTS_FAILED)
    # An address that can never be posted to (stored before the rule that refuses it) is not
    # worth a day of retries: dead-lettered now, its endpoint marked failing.
    if attempt >= rules.MAX_ATTEMPTS or error == "invalid_url":
        webhooks_store.log_attempt(target.id, message["log"], attempt, "dead", now, status, error)
        webhooks_store.set_health(target.edv, target.id, error, now)
        _sqs().send_message(
            QueueUrl=dead_letter_queue_url(),
            MessageBody=record["body"],
            MessageGroupId=target.id,
            MessageDeduplicationId=f"dead:{target.id}:{message['id']}"[:128],
        )
        metrics.add(Metric.WEBHOOKS_DEAD_LETTERED)
        return None
    webhooks_store.log_attempt(target.id, message["log"], attempt, "retrying", now, status, error)
    delay = rules.retry_delay(attempt, _backoff_scale())
    _postpone(record, delay)
    return delay


def _backoff_scale() -> float:
    """1 in production; tests shrink the day of back-off to seconds."""
    return float(os.environ.get("WEBHOOK_BACKOFF_SCALE", "1"))


def _post(
    target: Endpoint, message_id: str, document: dict[str, Any], now: datetime
) -> tuple[int | None, str | None]:
    """(HTTP status, None) on a 2xx; else (status or None, the failure's category)."""
    body = rules.body_of(document)
    outcome = outbound.post(
        target.url,
        body.encode(),
        rules.headers(target.secret, message_id, now, body),
        timeout=rules.ATTEMPT_TIMEOUT_SECONDS,
        allow_loopback=settings().is_local,  # the local stage's test endpoints listen here
    )
    return outcome.status, outcome.failure


# The local stack's stand-in for Lambda's SQS trigger ------------------------------------------


def run_worker_once(wait_seconds: int = 1) -> int:
    """Receive a batch, deliver, delete what is done; how many messages were handled."""
    answer = _sqs().receive_message(
        QueueUrl=queue_url(),
        MaxNumberOfMessages=10,
        WaitTimeSeconds=wait_seconds,
        AttributeNames=["All"],
    )
    messages = answer.get("Messages", [])
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
        }
        for m in messages
    ]
    failed = set(deliver(records))
    for record in records:
        if record["messageId"] not in failed:
            _sqs().delete_message(QueueUrl=queue_url(), ReceiptHandle=record["receiptHandle"])
    return len(records)
