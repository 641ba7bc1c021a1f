"""One change to mandates, written as one DynamoDB transaction over four tables: the mandates
(each conditioned on the version it was read with), the (EDV, EAN) projections (which hold the one
active mandate of a pair, so two grants that race cannot both win), the EDV's feed events under
consecutive sequence numbers, and its usage counters (what the change does to mandate-days)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ..domain import usage_counts
from ..domain.access_points import AccessPoint
from ..domain.feed import FeedEvent
from ..domain.mandates import Mandate
from ..domain.usage_counts import Deltas
from . import feed, projections, usage
from .access_points import AccessPointItem, unchanged
from .base import ContendedError, races_contended, transaction
from .mandates import MandateItem, get, item_of
from .projections import EdvAccessPointItem


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
    closed_facets = {
        mandate.id: projections.closed_facet(mandate) for mandate in change.closed_pairs
    }
    counted = _usage_deltas(change)
    with races_contended(), transaction() as writes:
        for mandate in change.mandates:
            condition = (
                MandateItem.id.does_not_exist()
                if mandate.version == 0
                else MandateItem.version == mandate.version
            )
            writes.save(item_of(mandate, now), condition=condition)
        for mandate, point, expected_active in change.new_pairs:
            # Granted by whoever was grid user when read: the tenures must not have moved.
            writes.condition_check(AccessPointItem, point.ean, condition=unchanged(point))
            writes.save(
                projections.item_of(mandate, point, now),
                condition=projections.active_condition(expected_active),
            )
        for mandate in change.closed_pairs:
            writes.update(
                EdvAccessPointItem(mandate.edv, mandate.ean),
                actions=[
                    EdvAccessPointItem.active_mandate_id.remove(),
                    EdvAccessPointItem.status.set(mandate.status.value),
                    EdvAccessPointItem.facet.set(closed_facets[mandate.id]),
                    EdvAccessPointItem.updated_at.set(now),
                ],
                condition=EdvAccessPointItem.active_mandate_id == mandate.id,
            )
        for edv, events in events_by_edv.items():
            stored += feed.append(writes, edv, events, now)
        for edv, deltas in counted.items():
            usage.count_mandates(writes, edv, deltas)
    return stored


def _usage_deltas(change: Change) -> dict[str, Deltas]:
    """What the change does to each EDV's usage counters: the written mandates' spans against
    the versions they replace (read again here; the transaction requires those versions)."""
    by_edv: dict[str, Deltas] = {}
    for mandate in change.mandates:
        before = get(mandate.id) if mandate.version else None
        if before is not None and before.version != mandate.version:
            raise ContendedError()
        by_edv.setdefault(mandate.edv, Counter()).update(usage_counts.deltas(before, mandate))
    return {edv: Counter({k: n for k, n in d.items() if n}) for edv, d in by_edv.items() if d}


def _edv_of(event: FeedEvent, change: Change) -> str:
    for mandate in change.mandates:
        if mandate.id == event.mandate_id:
            return mandate.edv
    raise ValueError(f"event for a mandate outside the change: {event.mandate_id}")
