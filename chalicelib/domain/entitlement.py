"""What an EDV may read of one EAN at one instant: the one answer every door that hands out meter
data asks (R5-R9, R12, R14). Pure: the mandate, the access point and the EAN's market events in,
an entitlement out, or the refusal.

The readable window is the consumption period, within the tenure of the grid user who granted it,
cut at every grid-user-changing market scenario that is due (applied by its job or not), and never
past today. A `day` mandate gives days and coarser, and each month's peak with its date but not its
time of day; a fine mandate gives the detailed pattern too (R9)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .access_points import AccessPoint
from .brussels import brussels_date, day_start_utc
from .errors import DomainError
from .mandates import Mandate, changes_grid_user
from .market import MarketEvent
from .vocabulary import Granularity, MarketEventStatus, MeterChannel


class PeakDetail(StrEnum):
    INSTANT = "instant"  # the quarter-hour (or hour) of the peak
    DATE = "date"  # only the day it fell on


@dataclass(frozen=True)
class Entitlement:
    mandate: Mandate
    point: AccessPoint  # as read for this decision: the doors serve from it, not a second read
    first: date  # the readable window, Brussels dates [first, end); empty when end <= first
    end: date
    fine: bool  # quarter-hours (electricity) or hours (gas) besides days and coarser
    peak_detail: PeakDetail
    # Cut to nothing for good (not merely not begun yet): a scenario took the EAN before the
    # period started. The machine API answers such a mandate as the reference does: not found.
    gives_nothing: bool = False

    @property
    def channels(self) -> tuple[MeterChannel, ...]:
        return self.point.channels  # R6

    @property
    def is_empty(self) -> bool:
        return self.end <= self.first

    def clip(self, first: date, end: date) -> tuple[date, date]:
        """The part of [first, end) the EDV may read; empty (end <= first) when none."""
        return max(first, self.first), min(end, self.end)

    def covers(self, day: date) -> bool:
        return self.first <= day < self.end

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """The window as instants: from the first day's start to the end day's start (midnight,
        or 06:00 for gas days)."""
        hour = self.point.day_hour
        return day_start_utc(self.first, hour), day_start_utc(self.end, hour)


def tenure_end(point: AccessPoint, mandate: Mandate) -> date | None:
    """Where the grantor's tenure ends, as the registry knows it now: the first later tenure of
    someone else (or of nobody). If the registry says someone else was grid user when the period
    starts (a move reported late), nothing of the period was the grantor's."""
    start = mandate.period_start
    current = point.tenure_on(start)
    if current is None or current.grid_user != mandate.grid_user:
        return start
    for tenure in point.tenures:
        if tenure.since > start and tenure.grid_user != mandate.grid_user:
            return tenure.since
    return None


def market_cut(events: Iterable[MarketEvent], mandate: Mandate, today: date) -> date | None:
    """The earliest effective date of a scenario that is due but not applied yet and hands the EAN
    to someone else: it holds from its effective date, before its job runs (R8). Applied ones are
    in the registry's tenures already."""
    cuts = [
        event.effective_date
        for event in events
        if event.status is MarketEventStatus.PENDING
        and changes_grid_user(event.scenario)
        and event.effective_date <= today
        and event.new_grid_user != mandate.grid_user
    ]
    return min(cuts) if cuts else None


def entitlement(
    mandate: Mandate | None,
    point: AccessPoint | None,
    events: Iterable[MarketEvent],
    now: datetime,
) -> Entitlement:
    """The EDV's entitlement under `mandate` at `now`, or DomainError `no_mandate` when it has
    none at all: no mandate, one that is ended or past valid_until, or an EAN gone from the
    registry."""
    if mandate is None or not mandate.gives_access_at(now) or point is None:
        raise DomainError("no_mandate", "This EDV has no active mandate on this access point.")
    today = brussels_date(now)
    ends = [mandate.period_end]
    for cut in (tenure_end(point, mandate), market_cut(events, mandate, today)):
        if cut is not None:
            ends.append(cut)
    lasting_end = min(ends)  # where the window ends for good, whatever the date
    fine = mandate.granularity is not Granularity.DAY
    return Entitlement(
        mandate=mandate,
        point=point,
        first=mandate.period_start,
        end=max(min(lasting_end, today + timedelta(days=1)), mandate.period_start),
        fine=fine,
        peak_detail=PeakDetail.INSTANT if fine else PeakDetail.DATE,
        gives_nothing=lasting_end <= mandate.period_start,
    )
