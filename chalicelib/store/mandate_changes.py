"""One change to mandates, written as one DynamoDB transaction: the mandates (each conditioned on
the version it was read with), the (EDV, EAN) projections (which hold the one active mandate of a
pair, so two grants that race cannot both win, and what the pair was billed for), the EDV's feed
events under consecutive sequence numbers, its usage counters (what the change does to
mandate-days), the purge duties it leaves, the pair's count of changes that day, and a consent
request declined as a whole. Nothing of it is visible before all of it is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from pynamodb.expressions.update import Action

from ..domain.access_points import AccessPoint
from ..domain.account import PurgeDuty, access_days
from ..domain.feed import FeedEvent
from ..domain.mandates import Mandate
from ..domain.usage_counts import Closed, Deltas, pair_deltas
from . import feed, machine_access, projections, purge_duties, usage
from .access_points import AccessPointItem, unchanged
from .base import ContendedError, races_contended, transaction
from .mandates import MandateItem, get, item_of
from .projections import EdvAccessPointItem

Pair = tuple[str, str]  # (edv, ean)


@dataclass
class Change:
    """One transaction's worth of mandate changes, and what they cause.

    Each mandate is written only if it still has the version it was read with (0: new).
    """

    mandates: list[Mandate] = field(default_factory=list)
    new_pairs: list[tuple[Mandate, AccessPoint, str | None]] = field(default_factory=list)
    # (a new grant, its access point as read, the active mandate id its pair must still have)
    closed_pairs: list[Mandate] = field(default_factory=list)
    # (the pair's active mandate, now ended or expired)
    events: list[FeedEvent] = field(default_factory=list)
    duties: list[PurgeDuty] = field(default_factory=list)
    # (edv, ean, Brussels date, limit): a mandate made on the pair, counted against its limit
    counted_pair: tuple[str, str, date, int] | None = None
    declined_session: tuple[str, str] | None = None  # (identifier, by whom)


def commit(change: Change, now: datetime) -> list[FeedEvent]:
    """Write the change atomically; ContendedError if anything moved since it was read."""
    events_by_edv: dict[str, list[FeedEvent]] = {}
    for event in change.events:
        assert event.edv, "every feed event names its EDV"
        events_by_edv.setdefault(event.edv, []).append(event)
    billing = _billing(change)
    closed_pairs = {(m.edv, m.ean): m for m in change.closed_pairs}
    pair_rows = {
        pair: projections.pair_item(*pair) for pair in closed_pairs if pair not in billing.rows
    } | billing.rows
    stored: list[FeedEvent] = []
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
            pair = (mandate.edv, mandate.ean)
            writes.condition_check(AccessPointItem, point.ean, condition=unchanged(point))
            closed = billing.closed.get(pair, projections.closed_of(pair_rows.get(pair)))
            writes.save(
                projections.item_of(mandate, point, now, closed),
                condition=projections.active_condition(expected_active),
            )
        for pair, mandate in closed_pairs.items():
            row = pair_rows[pair]
            assert row is not None, "a closed pair was held"
            actions: list[Action] = [
                EdvAccessPointItem.active_mandate_id.remove(),
                EdvAccessPointItem.status.set(mandate.status.value),
                EdvAccessPointItem.facet.set(projections.closed_facet(row, mandate)),
                EdvAccessPointItem.updated_at.set(now),
            ]
            if pair in billing.closed:
                billed = projections.billed_out(billing.closed[pair])
                actions.append(EdvAccessPointItem.billed.set(billed))
            writes.update(
                EdvAccessPointItem(*pair),
                actions=actions,
                condition=EdvAccessPointItem.active_mandate_id == mandate.id,
            )
        for duty in change.duties:
            purge_duties.add(writes, duty)
        if change.counted_pair is not None:
            machine_access.count_pair_change(writes, *change.counted_pair)
        if change.declined_session is not None:
            machine_access.decline_session(writes, *change.declined_session, now)
        for edv, events in events_by_edv.items():
            stored += feed.append(writes, edv, events, now)
        for edv, deltas in billing.deltas.items():
            usage.count_mandates(writes, edv, deltas)
    return stored


@dataclass
class _Billing:
    deltas: dict[str, Deltas]  # per EDV
    closed: dict[Pair, Closed]  # per pair whose billed days changed: its closed spans after
    rows: dict[Pair, EdvAccessPointItem | None]  # the pairs' rows as read


def _billing(change: Change) -> _Billing:
    """What the change does to the mandate-days of each pair it touches (usage_counts), read
    against the mandates' versions it replaces (read again here; the transaction requires them)
    and the closed spans its pair keeps."""
    befores: dict[Pair, list[Mandate]] = {}
    afters: dict[Pair, list[Mandate]] = {}
    for mandate in change.mandates:
        before = get(mandate.id) if mandate.version else None
        if before is not None and before.version != mandate.version:
            raise ContendedError()
        if (access_days(before) if before else None) == access_days(mandate):
            continue
        pair = (mandate.edv, mandate.ean)
        befores.setdefault(pair, []).extend([before] if before else [])
        afters.setdefault(pair, []).append(mandate)
    result = _Billing({}, {}, {})
    for pair, after in afters.items():
        row = projections.pair_item(*pair)
        result.rows[pair] = row
        deltas, closed = pair_deltas(projections.closed_of(row), befores.get(pair, []), after)
        result.closed[pair] = closed
        edv = pair[0]
        result.deltas.setdefault(edv, Counter()).update(deltas)
    result.deltas = {
        edv: Counter({k: n for k, n in d.items() if n}) for edv, d in result.deltas.items()
    }
    result.deltas = {edv: d for edv, d in result.deltas.items() if d}
    return result
