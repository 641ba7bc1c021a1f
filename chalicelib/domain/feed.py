"""The EDV's change feed: what happened to its mandates, complete and in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .brussels import local_iso
from .mandates import Mandate, PeriodAdjustment
from .vocabulary import EventType


@dataclass(frozen=True)
class FeedEvent:
    type: EventType
    mandate_id: str
    ean: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    seq: int = 0  # given when stored: 1, 2, 3, ... per EDV
    recorded_at: datetime | None = None


def granted(mandate: Mandate, renews: str | None = None) -> FeedEvent:
    """`renews`: the mandate this one renews (which ends as `renewed` in the same change)."""
    details = {
        "granularity": mandate.granularity.value,
        "period_start": mandate.period_start.isoformat(),
        "period_end": mandate.period_end.isoformat(),
        "valid_until": local_iso(mandate.valid_until),
        "reference_number": mandate.reference_number,
    }
    if renews:
        details["renews"] = renews
    return FeedEvent(EventType.GRANTED, mandate.id, mandate.ean, mandate.granted_at, details)


def renewal_requested(mandate: Mandate) -> FeedEvent:
    """The EDV asked the customer to renew; `granted` (with `renews`) follows if they do."""
    assert mandate.renewal_requested_at is not None
    return FeedEvent(
        EventType.RENEWAL_REQUESTED,
        mandate.id,
        mandate.ean,
        mandate.renewal_requested_at,
        {"valid_until": local_iso(mandate.valid_until)},
    )


def expiring(mandate: Mandate) -> FeedEvent:
    """Thirty days of validity left and not renewed: the last call before `expired`."""
    assert mandate.expiring_announced_at is not None
    return FeedEvent(
        EventType.EXPIRING,
        mandate.id,
        mandate.ean,
        mandate.expiring_announced_at,
        {
            "valid_until": local_iso(mandate.valid_until),
            "renewal_requested": mandate.renewal_requested_at is not None,
        },
    )


def requested(mandate: Mandate) -> FeedEvent:
    """A consent is asked of the grid user: nothing to read yet, `granted` or `rejected` follows."""
    event = granted(mandate)
    return FeedEvent(EventType.REQUESTED, event.mandate_id, event.ean, event.at, event.details)


def rejected(mandate: Mandate) -> FeedEvent:
    assert mandate.ended_at is not None and mandate.end_reason is not None
    return FeedEvent(
        EventType.REJECTED,
        mandate.id,
        mandate.ean,
        mandate.ended_at,
        {"end_reason": mandate.end_reason.value, "reference_number": mandate.reference_number},
    )


def ended(mandate: Mandate) -> FeedEvent:
    assert mandate.ended_at is not None and mandate.end_reason is not None
    event_type = EventType.EXPIRED if mandate.end_reason.value == "expired" else EventType.ENDED
    return FeedEvent(
        event_type,
        mandate.id,
        mandate.ean,
        mandate.ended_at,
        {"end_reason": mandate.end_reason.value},
    )


def truncated(mandate: Mandate, adjustment: PeriodAdjustment, purge_from: Any) -> FeedEvent:
    return FeedEvent(
        EventType.PERIOD_TRUNCATED,
        mandate.id,
        mandate.ean,
        adjustment.recorded_at,
        {
            "previous_end": adjustment.previous_end.isoformat(),
            "new_end": adjustment.new_end.isoformat(),
            "scenario": adjustment.scenario.value,
            "effective_date": adjustment.effective_date.isoformat(),
            "purge_from": purge_from.isoformat() if purge_from else None,
        },
    )
