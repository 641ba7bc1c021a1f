"""One account of what an EDV holds on one EAN (R5-R9, R13), from which every view, duty and bill
is derived: the EDV's access point and meter page, the customer's list, the purge duties and the
mandate-days it pays for. Pure: mandates in, answers out.

Words. A mandate *gave access* once it was granted (active, then ended or expired); a request
(`requested`) and its refusal or decline (`rejected`) never did, and never stand in for one that
did. The mandate *in force* on a pair is its active mandate, or, when none is, the latest that
gave access. A *holding* is what a mandate lets the EDV keep: its consumption period (as market
scenarios cut it) at its granularity. When a change leaves the EDV holding less, what it lost is a
*purge duty*: a span of the EAN's days it must delete, or whose fine values it must delete while
it may keep the days. A pair's mandates follow one another in time (one active at a time), so the
days it is billed for are the union of its mandates' days of access, per granularity."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from .access_points import GridUser
from .brussels import brussels_date
from .errors import DomainError
from .mandates import Mandate
from .vocabulary import EndReason, Granularity, MandateStatus

GAVE_ACCESS = (MandateStatus.ACTIVE, MandateStatus.ENDED, MandateStatus.EXPIRED)

Span = tuple[date, date]  # Brussels dates [first, end)


def gave_access(mandate: Mandate) -> bool:
    """Granted at some point: a request or a refusal never gave anything."""
    return mandate.status in GAVE_ACCESS


# What the EDV holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    """Days of an EAN the EDV may keep, [first, end), at a granularity: a fine one (quarter-hours
    for electricity, hours for gas, and the days they add up to) or days only."""

    first: date
    end: date
    granularity: Granularity

    @property
    def fine(self) -> bool:
        return self.granularity is not Granularity.DAY


def holding(mandate: Mandate) -> Holding | None:
    """What a mandate lets the EDV keep while it gives access: its consumption period, as the
    scenarios applied to it cut it, at its granularity. None when that period is empty."""
    if mandate.period_end <= mandate.period_start:
        return None
    return Holding(mandate.period_start, mandate.period_end, mandate.granularity)


@dataclass(frozen=True)
class PairAccount:
    """An EDV's mandates on one EAN, as everyone is told about them at one instant."""

    in_force: Mandate | None  # active, or the latest that gave access; never a request
    earlier: tuple[Mandate, ...]  # the other mandates that gave access, newest first
    pending: tuple[Mandate, ...]  # requests the grid user has not answered, newest first
    answered: tuple[Mandate, ...]  # requests refused or declined, newest first
    may_read: bool  # the mandate in force gives access now (R9; the EDV's own status aside)
    holds: Holding | None  # what it may keep now; None once the mandate in force stopped

    @property
    def requests(self) -> tuple[Mandate, ...]:
        return (*self.pending, *self.answered)


def newest_first(mandates: Iterable[Mandate]) -> list[Mandate]:
    return sorted(mandates, key=lambda m: (m.granted_at, m.id), reverse=True)


def in_force(mandates: Iterable[Mandate]) -> Mandate | None:
    """The pair's active mandate, or, when none is, the latest that gave access. A pair has one
    active mandate at a time, granted after the ones before it ended."""
    given = [m for m in newest_first(mandates) if gave_access(m)]
    active = [m for m in given if m.status is MandateStatus.ACTIVE]
    return next(iter(active or given), None)


def account(mandates: Iterable[Mandate], now: datetime) -> PairAccount:
    """The account of one (EDV, EAN) pair from all its mandates."""
    ordered = newest_first(mandates)
    force = in_force(ordered)
    may_read = force is not None and force.gives_access_at(now)
    return PairAccount(
        in_force=force,
        earlier=tuple(m for m in ordered if gave_access(m) and m is not force),
        pending=tuple(m for m in ordered if m.status is MandateStatus.REQUESTED),
        answered=tuple(m for m in ordered if m.status is MandateStatus.REJECTED),
        may_read=may_read,
        holds=holding(force) if force is not None and may_read else None,
    )


# Who sees a mandate ---------------------------------------------------------------------------


def concerns(mandate: Mandate, sub: str, identities: set[GridUser]) -> bool:
    """Who sees a mandate: the person who granted or asked for it, and the grid user it was
    granted for, whose tenure it covers. Not a later occupant of the EAN: their data is not in
    it, and what the previous occupant shared is not theirs to see or end."""
    return mandate.granted_by == sub or mandate.grid_user in identities


def end_reason_for(mandate: Mandate, sub: str, identities: set[GridUser]) -> EndReason:
    """R7: the customer who granted a mandate, or the grid user it was granted for, may end it;
    to anyone else it does not exist."""
    if mandate.granted_by == sub:
        return EndReason.REVOKED_BY_CUSTOMER
    if mandate.grid_user in identities:
        return EndReason.REVOKED_BY_GRID_USER
    raise DomainError("not_found", "There is no such mandate.")


# Purge duties ------------------------------------------------------------------------------------


class PurgeReason(StrEnum):
    """Why a duty arose: how the mandate stopped, or a market scenario cut its period short."""

    REVOKED_BY_CUSTOMER = "revoked_by_customer"
    REVOKED_BY_GRID_USER = "revoked_by_grid_user"
    REPLACED = "replaced"
    RENEWED = "renewed"
    EXPIRED = "expired"
    EDV_TERMINATED = "edv_terminated"
    PERIOD_TRUNCATED = "period_truncated"


@dataclass(frozen=True)
class PurgeDuty:
    """Days of an EAN the EDV held and may no longer keep: it deletes them (`keep` None), or
    their fine values while it keeps the days (`keep` day). It says so with `confirmed_at`."""

    id: str
    edv: str
    ean: str
    mandate_id: str  # the mandate that held the data
    first: date
    end: date
    keep: Granularity | None
    reason: PurgeReason
    since: datetime  # when the duty arose
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None


def duty_id(mandate_id: str, since: datetime, first: date) -> str:
    """Ordered by when the duty arose, then by its first day (the EDV's list reads oldest
    first), and the same for the same loss, so a retried change writes the same duty."""
    digest = hashlib.sha256(f"{mandate_id}|{since.isoformat()}|{first}".encode()).hexdigest()
    return f"{since.astimezone(UTC):%Y%m%d%H%M%S}-{first:%Y%m%d}-{digest[:12]}"


def lost(before: Holding | None, after: Holding | None, until: date) -> list[tuple[Span, bool]]:
    """What `before` held that `after` does not, of the days up to `until` (the EDV could not
    have read later ones): spans with whether the days themselves may stay (True: only their
    fine values go)."""
    if before is None:
        return []
    first, end = before.first, min(before.end, until)
    if end <= first:
        return []
    if after is None:
        return [((first, end), False)]
    spans: list[tuple[Span, bool]] = []
    for part in ((first, min(end, after.first)), (max(first, after.end), end)):
        if part[0] < part[1]:
            spans.append((part, False))
    kept = (max(first, after.first), min(end, after.end))
    if kept[0] < kept[1] and before.fine and not after.fine:
        spans.append((kept, True))
    return sorted(spans)


def duties(
    before: Mandate,
    after: Mandate | None,
    reason: PurgeReason,
    *,
    readable_until: date,
    since: datetime,
) -> list[PurgeDuty]:
    """The duties a change leaves: what `before` (the pair's mandate as it was) held that
    `after` (the pair's mandate in force afterwards, if it gives access) does not, of the days
    the EDV could have read by `readable_until` (exclusive)."""
    found = lost(holding(before), holding(after) if after else None, readable_until)
    return [
        PurgeDuty(
            id=duty_id(before.id, since, span[0]),
            edv=before.edv,
            ean=before.ean,
            mandate_id=before.id,
            first=span[0],
            end=span[1],
            keep=Granularity.DAY if keeps_days else None,
            reason=reason,
            since=since,
        )
        for span, keeps_days in found
    ]


def readable_until(mandate: Mandate) -> date:
    """The first day a mandate that stopped could no longer have been read: reads never reach
    past today, and it stopped when it ended (or expired, at valid_until)."""
    stopped = mandate.ended_at if mandate.ended_at is not None else mandate.valid_until
    return brussels_date(stopped) + timedelta(days=1)


def confirm(duty: PurgeDuty, by: str, now: datetime) -> PurgeDuty:
    """The EDV states it deleted; a second confirmation keeps the first one's time."""
    if not duty.is_open:
        return duty
    return PurgeDuty(**{**duty.__dict__, "confirmed_at": now, "confirmed_by": by})


@dataclass(frozen=True)
class PurgeStatus:
    """What the customer is told of a mandate's duties: how many, how many the EDV confirmed,
    and when the last confirmation came once all are."""

    duties: int
    confirmed: int
    confirmed_at: datetime | None


def purge_status(found: Sequence[PurgeDuty]) -> PurgeStatus | None:
    if not found:
        return None
    done = [duty.confirmed_at for duty in found if duty.confirmed_at is not None]
    complete = len(done) == len(found)
    return PurgeStatus(len(found), len(done), max(done) if complete and done else None)


# What the EDV is billed for ----------------------------------------------------------------------


def access_days(mandate: Mandate) -> Span | None:
    """The Brussels dates a mandate gave access on: from the day it was granted to the day it
    stopped (ended, replaced, terminated or expired), that day excluded, and at least one day.
    None for a request or a refusal."""
    if not gave_access(mandate):
        return None
    first = brussels_date(mandate.granted_at)
    stopped = mandate.ended_at if mandate.ended_at is not None else mandate.valid_until
    return first, max(brussels_date(stopped), first + timedelta(days=1))


def union(spans: Iterable[Span]) -> list[Span]:
    """Spans merged where they overlap or touch, in order."""
    merged: list[Span] = []
    for first, end in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((first, end))
    return merged


def billed_days(mandates: Iterable[Mandate]) -> dict[Granularity, list[Span]]:
    """The days one pair is billed for, per granularity: each (EDV, EAN, day) once per
    granularity, whatever renewals, replacements and re-grants happened that day."""
    by_granularity: dict[Granularity, list[Span]] = {}
    for mandate in mandates:
        span = access_days(mandate)
        if span is not None:
            by_granularity.setdefault(mandate.granularity, []).append(span)
    return {g: union(spans) for g, spans in by_granularity.items()}
