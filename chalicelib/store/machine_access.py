"""What the machine API remembers between requests: spent client-assertion ids (replay), request
counts per client and minute (rate limits), and EDV-initiated consent sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.models import Model

from ..config import table_name
from .base import TableMeta, is_condition_failure, register


@register
class SpentAssertionItem(Model):
    class Meta(TableMeta):
        table_name = table_name("spent_assertions")

    key = UnicodeAttribute(hash_key=True)  # "{client_id}#{jti}"
    expires = TTLAttribute()


@register
class RequestCountItem(Model):
    class Meta(TableMeta):
        table_name = table_name("request_counts")

    key = UnicodeAttribute(hash_key=True)  # "{client_id}#{minute}"
    requests = NumberAttribute(default=0)
    expires = TTLAttribute()


@register
class ConsentSessionItem(Model):
    class Meta(TableMeta):
        table_name = table_name("consent_sessions")

    identifier = UnicodeAttribute(hash_key=True)
    edv = UnicodeAttribute()
    client_id = UnicodeAttribute()
    details = JSONAttribute()
    created_at = UTCDateTimeAttribute()
    valid_to = UTCDateTimeAttribute()
    used = BooleanAttribute(default=False)
    expires = TTLAttribute()


def spend_assertion(client_id: str, jti: str, until: datetime) -> bool:
    """Record an assertion id as used; False if it was used before (a replay)."""
    try:
        SpentAssertionItem(f"{client_id}#{jti}", expires=until + timedelta(minutes=5)).save(
            condition=SpentAssertionItem.key.does_not_exist()
        )
    except PutError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def count_request(client_id: str, minute: int) -> int:
    """Add one to the client's count for this minute; the new count."""
    item = RequestCountItem(f"{client_id}#{minute}")
    item.update(
        actions=[
            RequestCountItem.requests.add(1),
            RequestCountItem.expires.set(datetime.fromtimestamp((minute + 2) * 60, UTC)),
        ]
    )
    return int(item.requests)


def save_session(
    identifier: str,
    enterprise_number: str,
    client_id: str,
    details: dict[str, Any],
    now: datetime,
    valid_to: datetime,
) -> None:
    ConsentSessionItem(
        identifier,
        edv=enterprise_number,
        client_id=client_id,
        details=details,
        created_at=now,
        valid_to=valid_to,
        expires=valid_to + timedelta(days=30),
    ).save(condition=ConsentSessionItem.identifier.does_not_exist())


def get_session(identifier: str) -> ConsentSessionItem | None:
    try:
        return ConsentSessionItem.get(identifier, consistent_read=True)
    except DoesNotExist:
        return None
