"""The EDV's change feed: what happened to its mandates, complete and in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .account import PurgeDuty
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
    edv: str = ""  # whose feed it goes to


def _of(mandate: Mandate, kind: EventType, at: datetime, details: dict[str, Any]) -> FeedEvent:
    return FeedEvent(kind, mandate.id, mandate.ean, at, details, edv=mandate.edv)


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
    return _of(mandate, EventType.GRANTED, mandate.granted_at, details)


def renewal_requested(mandate: Mandate) -> FeedEvent:
    """The EDV asked the customer to renew; `granted` (with `renews`) follows if they do."""
    assert mandate.renewal_requested_at is not None
    return _of(
        mandate,
        EventType.RENEWAL_REQUESTED,
        mandate.renewal_requested_at,
        {"valid_until": local_iso(mandate.valid_until)},
    )


def expiring(mandate: Mandate) -> FeedEvent:
    """Thirty days of validity left and not renewed: the last call before `expired`."""
    assert mandate.expiring_announced_at is not None
    return _of(
        mandate,
        EventType.EXPIRING,
        mandate.expiring_announced_at,
        {
            "valid_until": local_iso(mandate.valid_until),
            "renewal_requested": mandate.renewal_requested_at is not None,
        },
    )


def requested(mandate: Mandate) -> FeedEvent:
    """A consent is asked of the grid user: nothing to read yet, `granted` or `rejected` follows."""
    return _of(mandate, EventType.REQUESTED, mandate.granted_at, granted(mandate).details)


def rejected(mandate: Mandate) -> FeedEvent:
    assert mandate.ended_at is not None and mandate.end_reason is not None
    return _of(
        mandate,
        EventType.REJECTED,
        mandate.ended_at,
        {"end_reason": mandate.end_reason.value, "reference_number": mandate.reference_number},
    )


def ended(mandate: Mandate) -> FeedEvent:
    assert mandate.ended_at is not None and mandate.end_reason is not None
    event_type = EventType.EXPIRED if mandate.end_reason.value == "expired" else EventType.ENDED
    return _of(mandate, event_type, mandate.ended_at, {"end_reason": mandate.end_reason.value})


def truncated(mandate: Mandate, adjustment: PeriodAdjustment, purge_from: Any) -> FeedEvent:
    return _of(
        mandate,
        EventType.PERIOD_TRUNCATED,
        adjustment.recorded_at,
        {
            "previous_end": adjustment.previous_end.isoformat(),
            "new_end": adjustment.new_end.isoformat(),
            "scenario": adjustment.scenario.value,
            "effective_date": adjustment.effective_date.isoformat(),
            "purge_from": purge_from.isoformat() if purge_from else None,
        },
    )


def purge_due(duty: PurgeDuty) -> FeedEvent:
    """The EDV must delete what a duty names (GET …/purge-duties, then confirm it)."""
    return FeedEvent(
        EventType.PURGE_DUE,
        duty.mandate_id,
        duty.ean,
        duty.since,
        {
            "duty_id": duty.id,
            "from": duty.first.isoformat(),
            "to": duty.end.isoformat(),
            "keep": duty.keep.value if duty.keep else None,
            "reason": duty.reason.value,
        },
        edv=duty.edv,
    )


def consent_declined(edv: str, reference_number: str, at: datetime) -> FeedEvent:
    """A customer declined the EDV's consent request as a whole: it learns the answer by its
    reference number, and nothing of the customer's access points."""
    return FeedEvent(
        EventType.CONSENT_DECLINED, "", "", at, {"reference_number": reference_number}, edv=edv
    )
