"""Mandates (R5-R9): a customer's consent that one EDV may read one EAN's data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .access_points import AccessPoint, GridUser, Tenure
from .brussels import BRUSSELS, add_years, brussels_date, day_start_utc, local_iso
from .errors import DomainError
from .vocabulary import EndReason, Energy, Granularity, MandateStatus, RenewalState, Scenario

VALIDITY_YEARS = 3
RENEWAL_WINDOW = timedelta(days=90)  # the last stretch of validity in which renewal is due
EXPIRING_NOTICE = timedelta(days=30)  # the EDV hears `expiring` when this much is left
# Mandates made on one (EDV, EAN) pair per Brussels day (grants, approvals, renewals, requests):
# enough to correct a choice twice and renew, not enough to flood the EDV's feed and webhooks.
# Ending is never limited: a customer may always withdraw consent.
CHANGES_PER_PAIR_PER_DAY = 5
# Wrong meter numbers a person may give for one EAN per Brussels day before asking is refused
# until the next day: a co-occupant mistypes, a stranger guesses.
METER_NUMBER_TRIES = 5


@dataclass(frozen=True)
class PeriodAdjustment:
    previous_end: date
    new_end: date
    scenario: Scenario
    effective_date: date
    recorded_at: datetime


@dataclass(frozen=True)
class Mandate:
    id: str
    ean: str
    edv: str
    granularity: Granularity
    period_start: date
    period_end: date
    granted_at: datetime
    valid_until: datetime
    status: MandateStatus
    granted_by: str  # the person who granted
    grid_user: GridUser  # on whose behalf: the person, or the organisation they acted for
    energy: Energy
    end_reason: EndReason | None = None
    ended_at: datetime | None = None
    period_adjustments: tuple[PeriodAdjustment, ...] = ()
    reference_number: str | None = None  # the EDV's own reference (EDV-initiated consent)
    version: int = 0  # optimistic lock: 0 until stored; a write must find the version it read
    updated_at: datetime | None = None  # when it last changed (the machine API filters on it)
    renewal_requested_at: datetime | None = None  # the EDV asked the customer to renew it
    expiring_announced_at: datetime | None = None  # `expiring` went out (once)

    def status_at(self, now: datetime) -> MandateStatus:
        return seen_status(self.status, self.valid_until, now)

    def gives_access_at(self, now: datetime) -> bool:
        return self.status_at(now) is MandateStatus.ACTIVE

    def seen_at(self, now: datetime) -> MandateState:
        """Status, end reason and end time as a reader sees them at `now` (R5, R9): an active
        mandate past valid_until is expired at valid_until, whether or not the job has run."""
        if self.status_at(now) is MandateStatus.EXPIRED and self.status is MandateStatus.ACTIVE:
            return MandateState(MandateStatus.EXPIRED, EndReason.EXPIRED, self.valid_until)
        return MandateState(self.status, self.end_reason, self.ended_at)

    def renewal_at(self, now: datetime) -> RenewalState | None:
        """Due for renewal in the last RENEWAL_WINDOW of its validity (requested once the EDV
        asked); lapsed once expired."""
        status = self.status_at(now)
        if status is MandateStatus.EXPIRED:
            return RenewalState.EXPIRED
        if status is MandateStatus.ACTIVE and self.valid_until - now <= RENEWAL_WINDOW:
            return RenewalState.REQUESTED if self.renewal_requested_at else RenewalState.DUE
        return None


def stored_forms(seen: MandateStatus) -> tuple[tuple[MandateStatus, bool | None], ...]:
    """How a mandate a reader sees as `seen` is stored: (stored status, whether valid_until is
    still ahead, or None for either). The same rule as `Mandate.seen_at`, for queries."""
    if seen is MandateStatus.ACTIVE:
        return ((MandateStatus.ACTIVE, True),)
    if seen is MandateStatus.EXPIRED:
        return ((MandateStatus.EXPIRED, None), (MandateStatus.ACTIVE, False))
    return ((seen, None),)


@dataclass(frozen=True)
class Stretch:
    """An EDV's mandates of one energy and granularity, in one stored status, whose valid_until
    lies in (after, until]: what a query on the status index reads. A bound of None is open."""

    status: MandateStatus
    energy: Energy
    granularity: Granularity
    after: datetime | None = None
    until: datetime | None = None

    def is_empty(self) -> bool:
        return self.after is not None and self.until is not None and self.after >= self.until


def stretches(
    seen: frozenset[MandateStatus] | None,
    renewal: RenewalState | None,
    expiring_by: datetime | None,
    now: datetime,
    energy: Energy | None = None,
    granularities: frozenset[Granularity] | None = None,
) -> tuple[Stretch, ...] | None:
    """The stretches that hold every mandate seen at `now` in one of `seen`, in the renewal state
    `renewal`, valid until `expiring_by` at the latest, of `energy` and in one of `granularities`
    (None: any); None when nothing narrows the EDV's mandates. A superset: the reader still
    checks each mandate (`seen_at`, `renewal_at`)."""
    if all(narrows is None for narrows in (seen, renewal, expiring_by, energy, granularities)):
        return None
    if renewal is RenewalState.EXPIRED:
        seen = frozenset({MandateStatus.EXPIRED}) & (seen or frozenset(MandateStatus))
    elif renewal is not None:  # due or requested: active, in the last RENEWAL_WINDOW
        seen = frozenset({MandateStatus.ACTIVE}) & (seen or frozenset(MandateStatus))
        expiring_by = min(expiring_by or now + RENEWAL_WINDOW, now + RENEWAL_WINDOW)
    kinds = [
        (kind, granularity)
        for kind in Energy
        for granularity in kind.granularities
        if energy in (None, kind) and (granularities is None or granularity in granularities)
    ]
    found = []
    for status in sorted(MandateStatus if seen is None else seen):
        for stored, ahead in stored_forms(status):
            after = now if ahead is True else None
            until = now if ahead is False else None
            if expiring_by is not None:
                until = min(until or expiring_by, expiring_by)
            found += [Stretch(stored, kind, grain, after, until) for kind, grain in kinds]
    return tuple(found)


@dataclass(frozen=True)
class MandateState:
    status: MandateStatus
    end_reason: EndReason | None
    ended_at: datetime | None


def seen_status(stored: MandateStatus, valid_until: datetime, now: datetime) -> MandateStatus:
    """The status as a reader sees it: past valid_until it is expired, job or no job (R9)."""
    if stored is MandateStatus.ACTIVE and now >= valid_until:
        return MandateStatus.EXPIRED
    return stored


def valid_until(granted_at: datetime) -> datetime:
    """Three calendar years after the grant, on the Brussels clock; 29 February maps to 28."""
    later = add_years(granted_at.astimezone(BRUSSELS), VALIDITY_YEARS)
    # Same wall-clock time three years on, with that day's offset.
    return later.replace(tzinfo=None).replace(tzinfo=BRUSSELS)


def check_granularity(energy: Energy, granularity: Granularity) -> None:
    if granularity not in energy.granularities:
        allowed = ", ".join(g.value for g in energy.granularities)
        raise DomainError(
            "invalid_granularity", f"For {energy.value} the granularity is one of: {allowed}."
        )


def check_period(
    period_start: date, period_end: date, tenure: Tenure, *, own_tenure: bool = True
) -> None:
    """The period ends after it starts and not before the grid user's tenure. Told to someone
    asking the grid user (`own_tenure` False), the refusal never names the grid user's date."""
    if period_end <= period_start:
        raise DomainError(
            "invalid_period", "The consumption period must end after it starts: [start, end)."
        )
    if period_start < tenure.since and not own_tenure:
        raise DomainError(
            "period_before_grid_user",
            "The period may not start before the grid user became grid user.",
        )
    if period_start < tenure.since:
        raise DomainError(
            "period_before_grid_user",
            f"The period may not start before you became grid user ({tenure.since.isoformat()}).",
            extra={"grid_user_since": tenure.since.isoformat()},  # the portal says it in Dutch
        )


def _until_tomorrow(now: datetime) -> dict[str, str]:
    tomorrow = day_start_utc(brussels_date(now) + timedelta(days=1))
    return {"Retry-After": str(max(1, int((tomorrow - now).total_seconds())))}


def _daily_limit(code: str, detail: str, limit: int, counted: int, now: datetime) -> None:
    """A count per Brussels day: at `limit`, 429 until the next day."""
    if counted >= limit:
        raise DomainError(code, detail, extra={"limit": limit}, headers=_until_tomorrow(now))


def check_changes_today(made_today: int, now: datetime) -> None:
    """A pair takes CHANGES_PER_PAIR_PER_DAY new mandates a day."""
    detail = (
        f"At most {CHANGES_PER_PAIR_PER_DAY} mandates a day for one energy service provider on "
        "one access point. Try again tomorrow."
    )
    _daily_limit("too_many_changes", detail, CHANGES_PER_PAIR_PER_DAY, made_today, now)


def check_meter_number_tries(misses_today: int, now: datetime) -> None:
    detail = (
        f"The meter number was wrong {METER_NUMBER_TRIES} times today for this access point. "
        "Try again tomorrow."
    )
    _daily_limit("too_many_attempts", detail, METER_NUMBER_TRIES, misses_today, now)


def grant(
    *,
    mandate_id: str,
    point: AccessPoint,
    tenure: Tenure,
    edv: str,
    granularity: Granularity,
    period_start: date,
    period_end: date,
    granted_by: str,
    now: datetime,
    reference_number: str | None = None,
    status: MandateStatus = MandateStatus.ACTIVE,
) -> Mandate:
    """R5, once the caller is known to be the current grid user and the EDV to be active; or,
    with status `requested`, a consent asked by someone who may not grant it alone, on behalf of
    the tenure's grid user, who approves or refuses it."""
    assert tenure.grid_user is not None
    assert status in (MandateStatus.ACTIVE, MandateStatus.REQUESTED)
    check_granularity(point.energy, granularity)
    own = status is MandateStatus.ACTIVE
    check_period(period_start, period_end, tenure, own_tenure=own)
    return Mandate(
        id=mandate_id,
        ean=point.ean,
        edv=edv,
        granularity=granularity,
        period_start=period_start,
        period_end=period_end,
        granted_at=now,
        valid_until=valid_until(now),
        status=status,
        granted_by=granted_by,
        grid_user=tenure.grid_user,
        energy=point.energy,
        reference_number=reference_number,
    )


def _require_requested(mandate: Mandate) -> None:
    if mandate.status is not MandateStatus.REQUESTED:
        raise DomainError("conflict", f"The mandate is {mandate.status.value}, not requested.")


def approve(mandate: Mandate, tenure: Tenure, now: datetime) -> Mandate:
    """The grid user approves a requested consent: it is granted now, valid three years from
    now, provided the grid user is still the one it was asked of."""
    _require_requested(mandate)
    if tenure.grid_user != mandate.grid_user:
        raise DomainError("conflict", "The grid user changed since this consent was requested.")
    check_period(mandate.period_start, mandate.period_end, tenure)
    return replace(
        mandate, status=MandateStatus.ACTIVE, granted_at=now, valid_until=valid_until(now)
    )


def refuse(mandate: Mandate, now: datetime) -> Mandate:
    _require_requested(mandate)
    return replace(
        mandate,
        status=MandateStatus.REJECTED,
        end_reason=EndReason.REFUSED_BY_GRID_USER,
        ended_at=now,
    )


def declined(
    *,
    mandate_id: str,
    point: AccessPoint,
    grid_user: GridUser,
    edv: str,
    granularity: Granularity,
    period_start: date,
    period_end: date,
    declined_by: str,
    reference_number: str,
    now: datetime,
) -> Mandate:
    """An EDV's consent request the customer declined: a rejected mandate that tells the EDV,
    under its own reference number, what became of it. It never gave access."""
    return Mandate(
        id=mandate_id,
        ean=point.ean,
        edv=edv,
        granularity=granularity,
        period_start=period_start,
        period_end=period_end,
        granted_at=now,
        valid_until=now,
        status=MandateStatus.REJECTED,
        granted_by=declined_by,
        grid_user=grid_user,
        energy=point.energy,
        end_reason=EndReason.DECLINED_BY_CUSTOMER,
        ended_at=now,
        reference_number=reference_number,
    )


def _require_active(mandate: Mandate, now: datetime) -> None:
    if mandate.status_at(now) is not MandateStatus.ACTIVE:
        raise DomainError("conflict", f"The mandate is already {mandate.status_at(now).value}.")


def end(mandate: Mandate, reason: EndReason, now: datetime) -> Mandate:
    _require_active(mandate, now)
    return replace(mandate, status=MandateStatus.ENDED, end_reason=reason, ended_at=now)


def expire(mandate: Mandate) -> Mandate:
    """The three years are over: ended at valid_until, whenever the job notices."""
    if mandate.status is not MandateStatus.ACTIVE:
        raise DomainError("conflict", f"The mandate is already {mandate.status.value}.")
    return replace(
        mandate,
        status=MandateStatus.EXPIRED,
        end_reason=EndReason.EXPIRED,
        ended_at=mandate.valid_until,
    )


def supersede(current: Mandate, now: datetime, reason: EndReason = EndReason.REPLACED) -> Mandate:
    """A new grant on the same (EAN, EDV) closes the active one (R5): replaced (or renewed), or,
    if its validity is already over (the expiry job has not run yet), expired at valid_until."""
    return end(current, reason, now) if current.gives_access_at(now) else expire(current)


def request_renewal(mandate: Mandate, now: datetime) -> Mandate | None:
    """The EDV asks the customer to renew, in the last RENEWAL_WINDOW of validity; None when it
    already asked (asking twice changes nothing)."""
    state = mandate.renewal_at(now)
    if state is RenewalState.REQUESTED:
        return None
    if state is not RenewalState.DUE:
        raise DomainError(
            "renewal_not_due",
            f"A mandate can be renewed from {RENEWAL_WINDOW.days} days before it expires, "
            "while it is active.",
            extra={"renewable_from": local_iso(mandate.valid_until - RENEWAL_WINDOW)},
        )
    return replace(mandate, renewal_requested_at=now)


def renewal(
    mandate: Mandate, tenure: Tenure, renewed_by: str, new_id: str, now: datetime
) -> Mandate:
    """The customer renews (asked or not): a new mandate for the same EDV, EAN, granularity and
    period, valid three years from now; the old one ends as `renewed` when the new one takes the
    pair. Only while it gives access, and for the grid user it was granted for."""
    _require_active(mandate, now)
    if tenure.grid_user != mandate.grid_user:
        raise DomainError("conflict", "The grid user changed since this mandate was granted.")
    check_period(mandate.period_start, mandate.period_end, tenure)
    return replace(
        mandate,
        id=new_id,
        granted_at=now,
        valid_until=valid_until(now),
        granted_by=renewed_by,
        period_adjustments=(),
        version=0,
        updated_at=None,
        renewal_requested_at=None,
        expiring_announced_at=None,
    )


def announce_expiring(mandate: Mandate, now: datetime) -> Mandate | None:
    """`expiring` once, EXPIRING_NOTICE before the end of a mandate still active; None when it
    went out already or it is not that close."""
    if mandate.expiring_announced_at is not None or not mandate.gives_access_at(now):
        return None
    if mandate.valid_until - now > EXPIRING_NOTICE:
        return None
    return replace(mandate, expiring_announced_at=now)


def close(mandate: Mandate, reason: EndReason, now: datetime) -> Mandate | None:
    """An active mandate closed for `reason` by a job or by the EDV's termination; None when
    there is nothing to close (already closed, or an expiry that is not due yet). Past its
    validity a mandate expires, whatever the reason."""
    if mandate.status is not MandateStatus.ACTIVE:
        return None
    if reason is EndReason.EXPIRED and mandate.valid_until > now:
        return None
    return end(mandate, reason, now) if mandate.gives_access_at(now) else expire(mandate)


def changes_grid_user(scenario: Scenario) -> bool:
    """R8: a supplier switch changes nothing; the other scenarios change the grid user."""
    return scenario is not Scenario.SUPPLIER_SWITCH


def truncate(
    mandate: Mandate, scenario: Scenario, effective_date: date, now: datetime
) -> Mandate | None:
    """R8: the period ends at the effective date where it reached past it; None if it did not.

    The mandate stays active: the EDV keeps reading up to the effective date. A period that lay
    wholly after the effective date becomes empty.
    """
    if not changes_grid_user(scenario) or mandate.period_end <= effective_date:
        return None
    new_end = max(effective_date, mandate.period_start)
    adjustment = PeriodAdjustment(mandate.period_end, new_end, scenario, effective_date, now)
    return replace(
        mandate,
        period_end=new_end,
        period_adjustments=(*mandate.period_adjustments, adjustment),
    )


def purge_from(effective_date: date, recorded_on: date) -> date | None:
    """R8: reported on or after its effective date, the EDV may hold data it must delete."""
    return effective_date if effective_date <= recorded_on else None
