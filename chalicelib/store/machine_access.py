"""What the platform remembers between requests: spent client-assertion ids (replay), request
counts per client and minute (rate limits), changes per (EDV, EAN) pair and day and a person's
meter-number tries per EAN and day (limits on consent), and EDV-initiated consent sessions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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
from pynamodb.transactions import TransactWrite

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

    # "{client_id}#{minute}", "edv#{edv}#{minute}", "webhook-test#{endpoint}#{hour}",
    # "pair#{edv}#{ean}#{date}", "meter#{sub}#{ean}#{date}"
    key = UnicodeAttribute(hash_key=True)
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
    declined_at = UTCDateTimeAttribute(null=True)  # the customer declined it as a whole
    declined_by = UnicodeAttribute(null=True)
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


def count(key: str, expires: datetime) -> int:
    """Add one to a count kept until `expires`; the new count."""
    item = RequestCountItem(key)
    item.update(actions=[RequestCountItem.requests.add(1), RequestCountItem.expires.set(expires)])
    return int(item.requests)


def count_request(client_id: str, minute: int) -> int:
    """Add one to the client's count for this minute; the new count."""
    return count(f"{client_id}#{minute}", datetime.fromtimestamp((minute + 2) * 60, UTC))


def count_edv_request(enterprise_number: str, minute: int) -> int:
    """Add one to the EDV's count for this minute, across its clients; the new count."""
    return count(
        f"edv#{enterprise_number}#{minute}", datetime.fromtimestamp((minute + 2) * 60, UTC)
    )


def count_webhook_test(endpoint_id: str, hour: int) -> int:
    """Add one to the endpoint's test events this hour; the new count."""
    return count(
        f"webhook-test#{endpoint_id}#{hour}", datetime.fromtimestamp((hour + 2) * 3600, UTC)
    )


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


def decline_session(writes: TransactWrite, identifier: str, sub: str, now: datetime) -> None:
    """Within the transaction that tells the EDV: a request is declined once."""
    writes.update(
        ConsentSessionItem(identifier),
        actions=[
            ConsentSessionItem.declined_at.set(now),
            ConsentSessionItem.declined_by.set(sub),
        ],
        condition=ConsentSessionItem.identifier.exists()
        & ConsentSessionItem.declined_at.does_not_exist(),
    )


# Counts per day: a key per thing counted and Brussels date, gone a day after it.


def _day_count(key: str) -> int:
    try:
        return int(RequestCountItem.get(key, consistent_read=True).requests or 0)
    except DoesNotExist:
        return 0


def _day_expiry(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=2), time(), UTC)


def _pair_key(edv: str, ean: str, day: date) -> str:
    return f"pair#{edv}#{ean}#{day.isoformat()}"


def pair_changes(edv: str, ean: str, day: date) -> int:
    """Mandates made on the pair that day (grants, approvals, renewals, requests)."""
    return _day_count(_pair_key(edv, ean, day))


def count_pair_change(writes: TransactWrite, edv: str, ean: str, day: date, limit: int) -> None:
    """Within the change's transaction: one more, refused past `limit` (a race lost retries)."""
    counter = RequestCountItem.requests
    writes.update(
        RequestCountItem(_pair_key(edv, ean, day)),
        actions=[counter.add(1), RequestCountItem.expires.set(_day_expiry(day))],
        condition=counter.does_not_exist() | (counter < limit),
    )


def _meter_key(sub: str, ean: str, day: date) -> str:
    return f"meter#{sub}#{ean}#{day.isoformat()}"


def meter_number_misses(sub: str, ean: str, day: date) -> int:
    return _day_count(_meter_key(sub, ean, day))


def count_meter_number_miss(sub: str, ean: str, day: date) -> None:
    count(_meter_key(sub, ean, day), _day_expiry(day))
