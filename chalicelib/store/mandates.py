"""Mandates, the EDV's view of its access points, and its change feed.

Every change to a mandate is one DynamoDB transaction that also updates the (EDV, EAN) projection
and appends the EDV's feed events under consecutive sequence numbers. The projection holds the
one active mandate of its pair, so two grants that race cannot both win; the feed's counter makes
events of one EDV land in order, none lost, none twice.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..config import table_name
from ..domain.access_points import AccessPoint, GridUser
from ..domain.feed import FeedEvent
from ..domain.mandates import Mandate, PeriodAdjustment, stored_forms
from ..domain.vocabulary import EndReason, Energy, EventType, Granularity, MandateStatus, Scenario
from .access_points import AccessPointItem, unchanged
from .base import ContendedError, Key, TableMeta, register, take_page, transaction

EXPIRY_SHARDS = 8  # the expiry index is spread over this many partitions


class MandatesByEan(GlobalSecondaryIndex["MandateItem"]):
    class Meta:
        index_name = "by_ean"
        projection = AllProjection()

    ean = UnicodeAttribute(hash_key=True)
    granted_at = UTCDateTimeAttribute(range_key=True)


class MandatesByGranter(GlobalSecondaryIndex["MandateItem"]):
    class Meta:
        index_name = "by_granter"
        projection = AllProjection()

    granted_by = UnicodeAttribute(hash_key=True)
    granted_at = UTCDateTimeAttribute(range_key=True)


class MandatesByEdvEan(GlobalSecondaryIndex["MandateItem"]):
    class Meta:
        index_name = "by_edv_ean"
        projection = AllProjection()

    edv_ean = UnicodeAttribute(hash_key=True)
    granted_at = UTCDateTimeAttribute(range_key=True)


class MandatesByEdv(GlobalSecondaryIndex["MandateItem"]):
    """All of an EDV's mandates, for the machine API's list."""

    class Meta:
        index_name = "by_edv"
        projection = AllProjection()

    edv = UnicodeAttribute(hash_key=True)
    granted_at = UTCDateTimeAttribute(range_key=True)


class ExpiryDue(GlobalSecondaryIndex["MandateItem"]):
    """Sparse: only active mandates carry a shard, so the job reads what is due and no more."""

    class Meta:
        index_name = "expiry_due"
        projection = AllProjection()

    expiry_shard = UnicodeAttribute(hash_key=True)
    valid_until = UTCDateTimeAttribute(range_key=True)


@register
class MandateItem(Model):
    class Meta(TableMeta):
        table_name = table_name("mandates")

    id = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute()
    edv = UnicodeAttribute()
    edv_ean = UnicodeAttribute()
    granularity = UnicodeAttribute()
    period_start = UnicodeAttribute()
    period_end = UnicodeAttribute()
    granted_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    granted_by = UnicodeAttribute()
    grid_user_key = UnicodeAttribute()
    energy = UnicodeAttribute()
    end_reason = UnicodeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    period_adjustments = JSONAttribute(default=list)
    reference_number = UnicodeAttribute(null=True)
    expiry_shard = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    updated_at = UTCDateTimeAttribute(null=True)
    by_ean = MandatesByEan()
    by_edv = MandatesByEdv()
    by_granter = MandatesByGranter()
    by_edv_ean = MandatesByEdvEan()
    expiry_due = ExpiryDue()


@register
class EdvAccessPointItem(Model):
    """One item per (EDV, EAN) it ever had a mandate on: "meters of others", and the lock that
    keeps one mandate active per pair."""

    class Meta(TableMeta):
        table_name = table_name("edv_access_points")

    edv = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute(range_key=True)
    active_mandate_id = UnicodeAttribute(null=True)
    latest_mandate_id = UnicodeAttribute()
    status = UnicodeAttribute()
    granularity = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    energy = UnicodeAttribute()
    meter_type = UnicodeAttribute()
    direction = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()


@register
class FeedItem(Model):
    """The EDV's change feed. seq 0 is the counter (last_seq); events are 1, 2, 3, ..."""

    class Meta(TableMeta):
        table_name = table_name("mandate_events")

    edv = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    last_seq = NumberAttribute(null=True)
    type = UnicodeAttribute(null=True)
    mandate_id = UnicodeAttribute(null=True)
    ean = UnicodeAttribute(null=True)
    at = UTCDateTimeAttribute(null=True)
    recorded_at = UTCDateTimeAttribute(null=True)
    details = JSONAttribute(null=True)


def expiry_shard(mandate_id: str) -> str:
    return str(zlib.crc32(mandate_id.encode()) % EXPIRY_SHARDS)


def _adjustments_out(adjustments: tuple[PeriodAdjustment, ...]) -> list[dict[str, str]]:
    return [
        {
            "previous_end": a.previous_end.isoformat(),
            "new_end": a.new_end.isoformat(),
            "scenario": a.scenario.value,
            "effective_date": a.effective_date.isoformat(),
            "recorded_at": a.recorded_at.isoformat(),
        }
        for a in adjustments
    ]


def _adjustments_in(raw: list[dict[str, str]]) -> tuple[PeriodAdjustment, ...]:
    return tuple(
        PeriodAdjustment(
            previous_end=date.fromisoformat(a["previous_end"]),
            new_end=date.fromisoformat(a["new_end"]),
            scenario=Scenario(a["scenario"]),
            effective_date=date.fromisoformat(a["effective_date"]),
            recorded_at=datetime.fromisoformat(a["recorded_at"]),
        )
        for a in raw
    )


def mandate_from_item(item: MandateItem) -> Mandate:
    return Mandate(
        id=item.id,
        ean=item.ean,
        edv=item.edv,
        granularity=Granularity(item.granularity),
        period_start=date.fromisoformat(item.period_start),
        period_end=date.fromisoformat(item.period_end),
        granted_at=item.granted_at,
        valid_until=item.valid_until,
        status=MandateStatus(item.status),
        granted_by=item.granted_by,
        grid_user=GridUser.from_key(item.grid_user_key),
        energy=Energy(item.energy),
        end_reason=EndReason(item.end_reason) if item.end_reason else None,
        ended_at=item.ended_at,
        period_adjustments=_adjustments_in(item.period_adjustments or []),
        reference_number=item.reference_number,
        version=int(item.version),
        updated_at=item.updated_at or item.granted_at,
    )


def _item(mandate: Mandate, now: datetime) -> MandateItem:
    active = mandate.status is MandateStatus.ACTIVE
    return MandateItem(
        mandate.id,
        ean=mandate.ean,
        edv=mandate.edv,
        edv_ean=f"{mandate.edv}#{mandate.ean}",
        granularity=mandate.granularity.value,
        period_start=mandate.period_start.isoformat(),
        period_end=mandate.period_end.isoformat(),
        granted_at=mandate.granted_at,
        valid_until=mandate.valid_until,
        status=mandate.status.value,
        granted_by=mandate.granted_by,
        grid_user_key=mandate.grid_user.key,
        energy=mandate.energy.value,
        end_reason=mandate.end_reason.value if mandate.end_reason else None,
        ended_at=mandate.ended_at,
        period_adjustments=_adjustments_out(mandate.period_adjustments),
        reference_number=mandate.reference_number,
        expiry_shard=expiry_shard(mandate.id) if active else None,
        version=mandate.version + 1,
        updated_at=now,
    )


@dataclass
class Change:
    """One transaction's worth of mandate changes, and the feed events they cause.

    Each mandate is written only if it still has the version it was read with (0: new).
    """

    mandates: list[Mandate] = field(default_factory=list)
    new_pairs: list[tuple[Mandate, AccessPoint, str | None]] = field(default_factory=list)
    # (a new grant, its access point as read, the active mandate id its pair must still have)
    closed_pairs: list[Mandate] = field(default_factory=list)
    # (the pair's active mandate, now ended or expired)
    events: list[FeedEvent] = field(default_factory=list)


def commit(change: Change, now: datetime) -> list[FeedEvent]:
    """Write the change atomically; ContendedError if anything moved since it was read."""
    events_by_edv: dict[str, list[FeedEvent]] = {}
    for event in change.events:
        edv = _edv_of(event, change)
        events_by_edv.setdefault(edv, []).append(event)
    stored: list[FeedEvent] = []
    try:
        with transaction() as writes:
            for mandate in change.mandates:
                condition = (
                    MandateItem.id.does_not_exist()
                    if mandate.version == 0
                    else MandateItem.version == mandate.version
                )
                writes.save(_item(mandate, now), condition=condition)
            for mandate, point, expected_active in change.new_pairs:
                # Granted by whoever was grid user when read: the tenures must not have moved.
                writes.condition_check(AccessPointItem, point.ean, condition=unchanged(point))
                writes.save(
                    _projection(mandate, point, now),
                    condition=_projection_condition(expected_active),
                )
            for mandate in change.closed_pairs:
                writes.update(
                    EdvAccessPointItem(mandate.edv, mandate.ean),
                    actions=[
                        EdvAccessPointItem.active_mandate_id.remove(),
                        EdvAccessPointItem.status.set(mandate.status.value),
                        EdvAccessPointItem.updated_at.set(now),
                    ],
                    condition=EdvAccessPointItem.active_mandate_id == mandate.id,
                )
            for edv, events in events_by_edv.items():
                stored += _append_feed(writes, edv, events, now)
    except TransactWriteError as error:
        if error.cause_response_code in ("TransactionCanceledException", "TransactionConflict"):
            raise ContendedError() from error
        raise
    return stored


def _edv_of(event: FeedEvent, change: Change) -> str:
    for mandate in change.mandates:
        if mandate.id == event.mandate_id:
            return mandate.edv
    raise ValueError(f"event for a mandate outside the change: {event.mandate_id}")


def _projection(mandate: Mandate, point: AccessPoint, now: datetime) -> EdvAccessPointItem:
    return EdvAccessPointItem(
        mandate.edv,
        mandate.ean,
        active_mandate_id=mandate.id,
        latest_mandate_id=mandate.id,
        status=mandate.status.value,
        granularity=mandate.granularity.value,
        valid_until=mandate.valid_until,
        energy=point.energy.value,
        meter_type=point.meter_type.value,
        direction=point.direction.value,
        updated_at=now,
    )


def _projection_condition(expected_active: str | None) -> Condition:
    if expected_active is None:
        return EdvAccessPointItem.active_mandate_id.does_not_exist()
    return EdvAccessPointItem.active_mandate_id == expected_active


def point_details(edv: str, ean: str) -> dict[str, Any] | None:
    try:
        item = EdvAccessPointItem.get(edv, ean, consistent_read=True)
    except DoesNotExist:
        return None
    return dict(item.attribute_values)


def _append_feed(
    writes: TransactWrite, edv: str, events: list[FeedEvent], now: datetime
) -> list[FeedEvent]:
    try:
        last = int(FeedItem.get(edv, 0, consistent_read=True).last_seq or 0)
    except DoesNotExist:
        last = 0
    counter_condition = FeedItem.seq.does_not_exist() if last == 0 else FeedItem.last_seq == last
    writes.save(FeedItem(edv, 0, last_seq=last + len(events)), condition=counter_condition)
    stored = []
    for offset, event in enumerate(events, start=1):
        seq = last + offset
        writes.save(
            FeedItem(
                edv,
                seq,
                type=event.type.value,
                mandate_id=event.mandate_id,
                ean=event.ean,
                at=event.at,
                recorded_at=now,
                details=event.details,
            ),
            condition=FeedItem.seq.does_not_exist(),
        )
        stored.append(
            FeedEvent(event.type, event.mandate_id, event.ean, event.at, event.details, seq, now)
        )
    return stored


def get(mandate_id: str) -> Mandate | None:
    try:
        return mandate_from_item(MandateItem.get(mandate_id, consistent_read=True))
    except DoesNotExist:
        return None


def of_ean(ean: str) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_ean.query(ean)]


def of_granter(sub: str) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_granter.query(sub)]


def of_edv_and_ean(edv: str, ean: str) -> list[Mandate]:
    """Every mandate the EDV ever had on the EAN, newest first."""
    query = MandateItem.by_edv_ean.query(f"{edv}#{ean}", scan_index_forward=False)
    return [mandate_from_item(item) for item in query]


def active_of_edv_and_ean(edv: str, ean: str) -> Mandate | None:
    details = point_details(edv, ean)
    if details is None or not details.get("active_mandate_id"):
        return None
    return get(str(details["active_mandate_id"]))


def of_edv(edv: str) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_edv.query(edv)]


def due_for_expiry(as_of: datetime) -> Iterator[Mandate]:
    """Active mandates whose validity ended by `as_of`, read from the sparse expiry index."""
    for shard in range(EXPIRY_SHARDS):
        for item in MandateItem.expiry_due.query(str(shard), MandateItem.valid_until <= as_of):
            yield mandate_from_item(item)


def active_projections_of_edv(edv: str) -> Iterator[tuple[str, str]]:
    """(ean, active mandate id) of every pair of the EDV with an active mandate."""
    query = EdvAccessPointItem.query(
        edv, filter_condition=EdvAccessPointItem.active_mandate_id.exists()
    )
    for item in query:
        if item.active_mandate_id:
            yield item.ean, item.active_mandate_id


@dataclass(frozen=True)
class EdvAccessPoint:
    """A row of "meters of others"."""

    ean: str
    latest_mandate_id: str
    status: MandateStatus
    granularity: Granularity
    valid_until: datetime
    energy: str
    meter_type: str
    direction: str


def _seen_as(status: MandateStatus, now: datetime) -> Condition:
    """Rows a reader at `now` sees with `status` (domain.mandates.stored_forms)."""
    item = EdvAccessPointItem
    condition: Condition | None = None
    for stored, still_valid in stored_forms(status):
        form = item.status == stored.value
        if still_valid is not None:
            form = form & (item.valid_until > now if still_valid else item.valid_until <= now)
        condition = form if condition is None else condition | form
    assert condition is not None
    return condition


def page_edv_access_points(
    edv: str,
    *,
    ean_prefix: str | None,
    energy: str | None,
    meter_type: str | None,
    granularity: str | None,
    status: str | None,
    now: datetime,
    limit: int,
    start: Key | None,
) -> tuple[list[EdvAccessPoint], Key | None]:
    item = EdvAccessPointItem
    condition: Condition | None = None

    def both(extra: Condition) -> None:
        nonlocal condition
        condition = extra if condition is None else condition & extra

    if energy:
        both(item.energy == energy)
    if meter_type:
        both(item.meter_type == meter_type)
    if granularity:
        both(item.granularity == granularity)
    if status:
        both(_seen_as(MandateStatus(status), now))
    range_condition = item.ean.startswith(ean_prefix) if ean_prefix else None
    query = item.query(
        edv,
        range_condition,
        filter_condition=condition,
        last_evaluated_key=start,
        page_size=limit + 1,
    )
    rows, resume = take_page(query, limit)
    return [
        EdvAccessPoint(
            ean=row.ean,
            latest_mandate_id=row.latest_mandate_id,
            status=MandateStatus(row.status),
            granularity=Granularity(row.granularity),
            valid_until=row.valid_until,
            energy=row.energy,
            meter_type=row.meter_type,
            direction=row.direction,
        )
        for row in rows
    ], resume


def page_feed(edv: str, after_seq: int, limit: int) -> list[FeedEvent]:
    query = FeedItem.query(edv, FeedItem.seq > after_seq, limit=limit, consistent_read=True)
    return [
        FeedEvent(
            EventType(row.type),
            row.mandate_id or "",
            row.ean or "",
            row.at,
            dict(row.details or {}),
            int(row.seq),
            row.recorded_at,
        )
        for row in query
    ]


def last_feed_seq(edv: str) -> int:
    """The newest event's sequence number in the EDV's feed (0: none yet)."""
    try:
        return int(FeedItem.get(edv, 0, consistent_read=True).last_seq or 0)
    except DoesNotExist:
        return 0
