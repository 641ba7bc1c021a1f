"""Market events as reported, so that a replay changes nothing and future ones wait their day."""

from __future__ import annotations

from datetime import date, datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import GridUser
from ..domain.market import MarketEvent
from ..domain.vocabulary import MarketEventStatus, Scenario
from .base import TableMeta, is_condition_failure, register

PENDING = "pending"


class PendingByDate(GlobalSecondaryIndex["MarketEventItem"]):
    """Sparse: only events still waiting for their effective date."""

    class Meta:
        index_name = "pending_by_date"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    effective_date = UnicodeAttribute(range_key=True)


class ByEan(GlobalSecondaryIndex["MarketEventItem"]):
    """Every event of an EAN, by effective date: what the entitlement of a read must know."""

    class Meta:
        index_name = "by_ean"
        projection = AllProjection()

    ean = UnicodeAttribute(hash_key=True)
    effective_date = UnicodeAttribute(range_key=True)


@register
class MarketEventItem(Model):
    class Meta(TableMeta):
        table_name = table_name("market_events")

    event_id = UnicodeAttribute(hash_key=True)
    ean = UnicodeAttribute()
    scenario = UnicodeAttribute()
    effective_date = UnicodeAttribute()
    new_grid_user = UnicodeAttribute(null=True)
    recorded_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    applied_at = UTCDateTimeAttribute(null=True)
    pending = UnicodeAttribute(null=True)
    pending_by_date = PendingByDate()
    by_ean = ByEan()


def _event(item: MarketEventItem) -> MarketEvent:
    return MarketEvent(
        event_id=item.event_id,
        ean=item.ean,
        scenario=Scenario(item.scenario),
        effective_date=date.fromisoformat(item.effective_date),
        new_grid_user=GridUser.from_key(item.new_grid_user) if item.new_grid_user else None,
        recorded_at=item.recorded_at,
        status=MarketEventStatus(item.status),
        applied_at=item.applied_at,
    )


def get(event_id: str) -> MarketEvent | None:
    try:
        return _event(MarketEventItem.get(event_id, consistent_read=True))
    except DoesNotExist:
        return None


def record(event: MarketEvent) -> bool:
    """Store a newly reported event; False if this very event was recorded before."""
    try:
        MarketEventItem(
            event.event_id,
            ean=event.ean,
            scenario=event.scenario.value,
            effective_date=event.effective_date.isoformat(),
            new_grid_user=event.new_grid_user.key if event.new_grid_user else None,
            recorded_at=event.recorded_at,
            status=event.status.value,
            pending=PENDING if event.status is MarketEventStatus.PENDING else None,
        ).save(condition=MarketEventItem.event_id.does_not_exist())
    except PutError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def mark_applied(event_id: str, now: datetime) -> None:
    MarketEventItem(event_id).update(
        actions=[
            MarketEventItem.status.set(MarketEventStatus.APPLIED.value),
            MarketEventItem.applied_at.set(now),
            MarketEventItem.pending.remove(),
        ]
    )


def pending_of_ean(ean: str, until: date) -> list[MarketEvent]:
    """The EAN's events that are due by `until` and not applied yet (usually none)."""
    query = MarketEventItem.by_ean.query(
        ean,
        MarketEventItem.effective_date <= until.isoformat(),
        filter_condition=MarketEventItem.pending == PENDING,
    )
    return [_event(item) for item in query]


def pending_until(day: date) -> list[MarketEvent]:
    query = MarketEventItem.pending_by_date.query(
        PENDING, MarketEventItem.effective_date <= day.isoformat()
    )
    return [_event(item) for item in query]


def of_ean(ean: str) -> list[MarketEvent]:
    """Every event of an EAN, oldest effective date first."""
    return [_event(item) for item in MarketEventItem.by_ean.query(ean)]
