"""Webhook endpoints (per EDV) and their delivery log (per endpoint, newest first, kept 30 days)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.models import Model

from ..config import table_name
from ..domain.webhooks import Endpoint
from .base import Key, TableMeta, is_condition_failure, register, take_page

LOG_DAYS = 30


@register
class EndpointItem(Model):
    class Meta(TableMeta):
        table_name = table_name("webhook_endpoints")

    edv = UnicodeAttribute(hash_key=True)
    endpoint_id = UnicodeAttribute(range_key=True)
    url = UnicodeAttribute()
    event_types = ListAttribute[str](default=list)  # strings
    secret = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    dispatched_seq = NumberAttribute(default=0)
    failing_since = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)


@register
class DeliveryItem(Model):
    class Meta(TableMeta):
        table_name = table_name("webhook_deliveries")

    endpoint_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # "{queued_at}|{message_id}": newest last
    message_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    mandate_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # queued | retrying | delivered | dead
    attempts = NumberAttribute(default=0)
    last_status = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    last_attempt_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    expires = TTLAttribute()


def _endpoint(item: EndpointItem) -> Endpoint:
    return Endpoint(
        id=item.endpoint_id,
        edv=item.edv,
        url=item.url,
        event_types=tuple(item.event_types),
        secret=item.secret,
        created_at=item.created_at,
        created_by=item.created_by,
        description=item.description,
        status=item.status,
        dispatched_seq=int(item.dispatched_seq),
        failing_since=item.failing_since,
        last_error=item.last_error,
    )


def create(endpoint: Endpoint) -> None:
    EndpointItem(
        endpoint.edv,
        endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        secret=endpoint.secret,
        description=endpoint.description,
        created_at=endpoint.created_at,
        created_by=endpoint.created_by,
        dispatched_seq=endpoint.dispatched_seq,
    ).save(condition=EndpointItem.endpoint_id.does_not_exist())


def of_edv(enterprise_number: str) -> list[Endpoint]:
    return [_endpoint(item) for item in EndpointItem.query(enterprise_number, consistent_read=True)]


def get(enterprise_number: str, endpoint_id: str) -> Endpoint | None:
    try:
        return _endpoint(EndpointItem.get(enterprise_number, endpoint_id, consistent_read=True))
    except EndpointItem.DoesNotExist:
        return None


def delete(enterprise_number: str, endpoint_id: str) -> None:
    EndpointItem(enterprise_number, endpoint_id).delete()


def advance(endpoint: Endpoint, to_seq: int) -> bool:
    """Record that the feed is queued up to `to_seq`; False if another dispatcher got there."""
    try:
        EndpointItem(endpoint.edv, endpoint.id).update(
            actions=[EndpointItem.dispatched_seq.set(to_seq)],
            condition=(EndpointItem.dispatched_seq == endpoint.dispatched_seq),
        )
    except UpdateError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def set_health(enterprise_number: str, endpoint_id: str, error: str | None, now: datetime) -> None:
    """`error`: the endpoint is failing (since now, unless it already was); None: healthy."""
    item = EndpointItem(enterprise_number, endpoint_id)
    exists = EndpointItem.endpoint_id.exists()
    try:
        if error is None:
            item.update(
                actions=[
                    EndpointItem.status.set("active"),
                    EndpointItem.failing_since.remove(),
                    EndpointItem.last_error.remove(),
                ],
                condition=exists,
            )
        else:
            item.update(
                actions=[
                    EndpointItem.status.set("failing"),
                    EndpointItem.failing_since.set(EndpointItem.failing_since | now),
                    EndpointItem.last_error.set(error[:500]),
                ],
                condition=exists,
            )
    except UpdateError as error_:
        if not is_condition_failure(error_):  # deleted meanwhile: nothing to mark
            raise


def delivery_key(queued_at: datetime, message_id: str) -> str:
    return f"{queued_at.isoformat()}|{message_id}"


def log_queued(
    endpoint_id: str,
    key: str,
    message_id: str,
    event_type: str,
    mandate_id: str | None,
    now: datetime,
) -> None:
    DeliveryItem(
        endpoint_id,
        key,
        message_id=message_id,
        event_type=event_type,
        mandate_id=mandate_id,
        status="queued",
        expires=now + timedelta(days=LOG_DAYS),
    ).save()


def log_attempt(
    endpoint_id: str,
    key: str,
    attempt: int,
    status: str,
    now: datetime,
    http_status: int | None = None,
    error: str | None = None,
) -> None:
    actions: list[Any] = [
        DeliveryItem.status.set(status),
        DeliveryItem.attempts.set(attempt),
        DeliveryItem.last_attempt_at.set(now),
    ]
    actions.append(
        DeliveryItem.last_status.set(http_status)
        if http_status is not None
        else DeliveryItem.last_status.remove()
    )
    actions.append(
        DeliveryItem.last_error.set(error[:500]) if error else DeliveryItem.last_error.remove()
    )
    if status == "delivered":
        actions.append(DeliveryItem.delivered_at.set(now))
    try:
        DeliveryItem(endpoint_id, key).update(actions=actions, condition=DeliveryItem.key.exists())
    except UpdateError as error_:
        if not is_condition_failure(error_):  # the log entry aged out: the delivery still counts
            raise


def page_deliveries(
    endpoint_id: str, limit: int, start: Key | None
) -> tuple[list[DeliveryItem], Key | None]:
    query = DeliveryItem.query(
        endpoint_id, scan_index_forward=False, last_evaluated_key=start, page_size=limit + 1
    )
    return take_page(query, limit)
