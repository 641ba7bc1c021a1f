"""The mandates table: one item per mandate, with indexes by EAN, granter, EDV and (EDV, EAN),
and a sparse index of active mandates by expiry. Writes go through `mandate_changes`, which puts
a mandate, its (EDV, EAN) projection and the EDV's feed events in one transaction."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.access_points import GridUser
from ..domain.mandates import Mandate, PeriodAdjustment, Stretch
from ..domain.vocabulary import EndReason, Energy, Granularity, MandateStatus, Scenario
from . import projections
from .base import Key, TableMeta, register, take_page

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


class MandatesByGridUser(GlobalSecondaryIndex["MandateItem"]):
    """The mandates granted for a grid user (a person, or an organisation), asked for by others
    included: who sees a mandate is who granted it and whom it was granted for."""

    class Meta:
        index_name = "by_grid_user"
        projection = AllProjection()

    grid_user_key = UnicodeAttribute(hash_key=True)
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


class MandatesByEdvUpdated(GlobalSecondaryIndex["MandateItem"]):
    """The machine API's lastUpdatedFrom/To: an EDV's mandates by when they last changed."""

    class Meta:
        index_name = "by_edv_updated"
        projection = AllProjection()

    edv = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class MandatesByEdvFacet(GlobalSecondaryIndex["MandateItem"]):
    """The machine API's status, renewal, expiry, energy and granularity filters: an EDV's
    mandates of one stored status, energy and granularity (`facet`), by end of validity, so a
    request about active mandates reads none of the history, nor gas about electricity."""

    class Meta:
        index_name = "by_edv_facet"
        projection = AllProjection()

    edv_facet = UnicodeAttribute(hash_key=True)
    valid_until = UTCDateTimeAttribute(range_key=True)


class MandatesByEdvReference(GlobalSecondaryIndex["MandateItem"]):
    """Sparse: the machine API's referenceNumber, the EDV's own reference for a consent."""

    class Meta:
        index_name = "by_edv_reference"
        projection = AllProjection()

    edv_reference = UnicodeAttribute(hash_key=True)
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
    edv_facet = UnicodeAttribute()
    edv_reference = UnicodeAttribute(null=True)
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
    renewal_requested_at = UTCDateTimeAttribute(null=True)
    expiring_announced_at = UTCDateTimeAttribute(null=True)
    by_ean = MandatesByEan()
    by_edv = MandatesByEdv()
    by_edv_updated = MandatesByEdvUpdated()
    by_edv_facet = MandatesByEdvFacet()
    by_edv_reference = MandatesByEdvReference()
    by_granter = MandatesByGranter()
    by_grid_user = MandatesByGridUser()
    by_edv_ean = MandatesByEdvEan()
    expiry_due = ExpiryDue()


def facet(edv: str, status: MandateStatus, energy: Energy, granularity: Granularity) -> str:
    """The key of the EDV's mandates of one stored status, energy and granularity."""
    return f"{edv}#{status.value}#{energy.value}#{granularity.value}"


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
        renewal_requested_at=item.renewal_requested_at,
        expiring_announced_at=item.expiring_announced_at,
    )


def item_of(mandate: Mandate, now: datetime) -> MandateItem:
    active = mandate.status is MandateStatus.ACTIVE
    return MandateItem(
        mandate.id,
        ean=mandate.ean,
        edv=mandate.edv,
        edv_ean=f"{mandate.edv}#{mandate.ean}",
        edv_facet=facet(mandate.edv, mandate.status, mandate.energy, mandate.granularity),
        edv_reference=f"{mandate.edv}#{mandate.reference_number}"
        if mandate.reference_number
        else None,
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
        renewal_requested_at=mandate.renewal_requested_at,
        expiring_announced_at=mandate.expiring_announced_at,
    )


def get(mandate_id: str) -> Mandate | None:
    try:
        return mandate_from_item(MandateItem.get(mandate_id, consistent_read=True))
    except DoesNotExist:
        return None


def of_ean(ean: str) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_ean.query(ean)]


def of_granter(sub: str) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_granter.query(sub)]


def of_grid_user(grid_user: GridUser) -> list[Mandate]:
    return [mandate_from_item(item) for item in MandateItem.by_grid_user.query(grid_user.key)]


def of_edv_and_ean(enterprise_number: str, ean: str) -> list[Mandate]:
    """Every mandate the EDV ever had on the EAN, newest first."""
    query = MandateItem.by_edv_ean.query(f"{enterprise_number}#{ean}", scan_index_forward=False)
    return [mandate_from_item(item) for item in query]


def active_of_edv_and_ean(enterprise_number: str, ean: str) -> Mandate | None:
    details = projections.point_details(enterprise_number, ean)
    if details is None or not details.get("active_mandate_id"):
        return None
    return get(str(details["active_mandate_id"]))


# One leg of a read of an EDV's mandates: one query of one index partition, from a resume key,
# `page_size` items at a time (None: as DynamoDB pages).
Leg = Callable[[Key | None, int | None], Iterator[MandateItem]]


def _leg(
    index: GlobalSecondaryIndex[MandateItem], hash_key: str, condition: Condition | None = None
) -> Leg:
    def query(start: Key | None, page_size: int | None) -> Iterator[MandateItem]:
        return index.query(hash_key, condition, last_evaluated_key=start, page_size=page_size)

    return query


def _stretch_leg(enterprise_number: str, stretch: Stretch) -> Leg:
    if stretch.is_empty():
        return lambda start, page_size: iter(())
    until = MandateItem.valid_until
    condition: Condition | None = None
    if stretch.after and stretch.until:  # inclusive: the reader drops `after` itself
        condition = until.between(stretch.after, stretch.until)
    elif stretch.after:
        condition = until > stretch.after
    elif stretch.until:
        condition = until <= stretch.until
    key = facet(enterprise_number, stretch.status, stretch.energy, stretch.granularity)
    return _leg(MandateItem.by_edv_facet, key, condition)


def _updated_condition(updated_from: datetime | None, updated_to: datetime | None) -> Condition:
    when = MandateItem.updated_at
    if updated_from and updated_to:
        return when.between(updated_from, updated_to)  # inclusive: the reader drops the end
    if updated_from:
        return when >= updated_from
    assert updated_to is not None
    return when < updated_to


def legs_of_edv(
    enterprise_number: str,
    *,
    ean: str | None = None,
    reference_number: str | None = None,
    updated_from: datetime | None = None,
    updated_to: datetime | None = None,
    stretches: tuple[Stretch, ...] | None = None,
) -> tuple[Leg, ...]:
    """The index reads that hold every one of the EDV's mandates these filters can select, by
    the narrowest index: the (EDV, EAN) pair, the EDV's reference, when it last changed, its
    status, validity, energy and granularity; else all of the EDV's mandates by when granted.
    A superset: the reader checks each mandate against the filters."""
    edv = enterprise_number
    if ean is not None:
        return (_leg(MandateItem.by_edv_ean, f"{edv}#{ean}"),)
    if reference_number is not None:
        return (_leg(MandateItem.by_edv_reference, f"{edv}#{reference_number}"),)
    if updated_from or updated_to:
        condition = _updated_condition(updated_from, updated_to)
        return (_leg(MandateItem.by_edv_updated, edv, condition),)
    if stretches is not None:
        return tuple(_stretch_leg(edv, stretch) for stretch in stretches)
    return (_leg(MandateItem.by_edv, edv),)


def read(legs: tuple[Leg, ...]) -> Iterator[Mandate]:
    """Leg after leg, page by page as they are read: a caller that stops early reads no further."""
    for leg in legs:
        for item in leg(None, None):
            yield mandate_from_item(item)


def read_page(
    legs: tuple[Leg, ...], size: int, start: Key | None
) -> tuple[list[Mandate], Key | None]:
    """`size` mandates from where `start` (a position this returned) left off, leg after leg,
    and where the next page starts (None at the end). No page reads an earlier page again."""
    leg, resume = (int(start["leg"]), start["key"]) if start else (0, None)
    found: list[MandateItem] = []
    while leg < len(legs) and len(found) < size:
        wanted = size - len(found)
        items, resume = take_page(legs[leg](resume, wanted + 1), wanted)
        found += items
        if resume is not None:
            return [mandate_from_item(item) for item in found], {"leg": leg, "key": resume}
        leg += 1
    position = {"leg": leg, "key": None} if leg < len(legs) else None
    return [mandate_from_item(item) for item in found], position


def due_for_expiry(as_of: datetime) -> Iterator[Mandate]:
    """Active mandates whose validity ended by `as_of`, read from the sparse expiry index."""
    for shard in range(EXPIRY_SHARDS):
        for item in MandateItem.expiry_due.query(str(shard), MandateItem.valid_until <= as_of):
            yield mandate_from_item(item)


def expiring_by(as_of: datetime, until: datetime) -> Iterator[Mandate]:
    """Active mandates whose validity ends after `as_of` and by `until`, not yet announced as
    expiring: the same sparse index, read over that stretch only."""
    for shard in range(EXPIRY_SHARDS):
        query = MandateItem.expiry_due.query(
            str(shard),
            MandateItem.valid_until.between(as_of, until),
            filter_condition=MandateItem.expiring_announced_at.does_not_exist(),
        )
        for item in query:
            yield mandate_from_item(item)
