"""Granting, ending, expiring and truncating mandates (R5-R8), and what an EDV sees of them."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..domain import account as accounts
from ..domain import feed
from ..domain import mandates as rules
from ..domain.access_points import AccessPoint, GridUser, Tenure, require_grid_user
from ..domain.account import PairAccount, PurgeDuty, PurgeReason, PurgeStatus
from ..domain.brussels import brussels_date
from ..domain.consent import MAX_DECLINED_EANS, require_same_edv
from ..domain.errors import DomainError
from ..domain.feed import FeedEvent
from ..domain.identifiers import is_shaped
from ..domain.mandates import Mandate
from ..domain.paging import offset_page
from ..domain.vocabulary import (
    EndReason,
    Energy,
    EventType,
    Granularity,
    MandateStatus,
    Scenario,
)
from ..observability import Metric, metrics
from ..store import access_points as access_points_store
from ..store import directory as directory_store
from ..store import feed as feed_store
from ..store import machine_access as machine_access_store
from ..store import mandate_changes as mandate_changes_store
from ..store import mandates as mandates_store
from ..store import onboarding as onboarding_store
from ..store import projections as projections_store
from ..store import purge_duties as purge_duties_store
from ..store.base import ContendedError
from . import consent, directory, webhooks
from .access_points import acting_as
from .contention import retrying

if TYPE_CHECKING:
    from ..store.base import Key

    Position = dict[str, Any]
    from ..store.projections import EdvAccessPoint
    from .consent import Session


@dataclass(frozen=True)
class GrantRequest:
    edv: str
    ean: str
    granularity: Granularity
    period_start: date
    period_end: date
    reference_number: str | None = None
    meter_number: str | None = None  # a co-occupant's proof of being there: the meter's number
    session: str | None = None  # the EDV's consent request it answers: gives the reference


def grant(sub: str, request: GrantRequest, now: datetime) -> Mandate:
    """R5. A grant on a pair (EAN, EDV) with an active mandate replaces it, race-free; and it
    commits only if the grid user it was checked against is still the grid user (a move
    reported meanwhile makes it re-read, and refuse). Someone who may not grant alone (a member
    of the grid-user organisation, or a co-occupant who gives the meter's number) asks instead:
    the mandate is `requested` until the grid user approves or refuses it. Answering an EDV's
    consent request (`session`), it carries that request's reference number."""
    if request.session is not None:
        asked = consent.get(request.session, now)
        require_same_edv(asked.edv, request.edv)
        request = replace(request, reference_number=asked.reference_number)
    identities = acting_as(sub)
    onboarding_store.active_application(request.edv)
    mandate_id = str(uuid.uuid4())

    def attempt() -> Mandate:
        # What other writers change is read inside the retry: the access point's tenures and
        # the pair's active mandate.
        point = access_points_store.get(request.ean)
        try:
            tenure = require_grid_user(point, identities, brussels_date(now))
        except DomainError:
            requester = _may_request(sub, point, request.meter_number, now)
            if requester is None:
                raise
            point, tenure = requester
            asked = _new_mandate(sub, request, point, tenure, mandate_id, now, requested=True)
            change = mandate_changes_store.Change(mandates=[asked], events=[feed.requested(asked)])
            _commit(_counted(change, asked, now), now)
            return asked
        assert point is not None
        mandate = _new_mandate(sub, request, point, tenure, mandate_id, now, requested=False)
        _commit(_counted(_taking_the_pair(mandate, point, now), mandate, now), now)
        return mandate

    return retrying(attempt)


def _counted(
    change: mandate_changes_store.Change, made: Mandate, now: datetime
) -> mandate_changes_store.Change:
    """A mandate made on a pair counts against its CHANGES_PER_PAIR_PER_DAY (429 past it); the
    transaction counts it, so two racing past the limit cannot both pass."""
    today = brussels_date(now)
    rules.check_changes_today(machine_access_store.pair_changes(made.edv, made.ean, today), now)
    change.counted_pair = (made.edv, made.ean, today, rules.CHANGES_PER_PAIR_PER_DAY)
    return change


def _may_request(
    sub: str, point: AccessPoint | None, meter_number: str | None, now: datetime
) -> tuple[AccessPoint, Tenure] | None:
    """Whether a person who may not grant may ask the grid user: a member of the grid-user
    organisation, or someone at the address who can read the meter's number (a few tries per
    person, EAN and day)."""
    today = brussels_date(now)
    tenure = point.tenure_on(today) if point else None
    if point is None or tenure is None or tenure.grid_user is None:
        return None
    grid_user = tenure.grid_user
    member = grid_user.kind == "org" and any(
        link.enterprise_number == grid_user.id for link in directory_store.links_of_person(sub)
    )
    if member:
        return point, tenure
    if grid_user.kind != "person" or meter_number is None:
        return None
    rules.check_meter_number_tries(
        machine_access_store.meter_number_misses(sub, point.ean, today), now
    )
    if hmac.compare_digest(meter_number.strip().upper(), point.meter_number.upper()):
        return point, tenure
    machine_access_store.count_meter_number_miss(sub, point.ean, today)
    return None


def _new_mandate(
    sub: str,
    request: GrantRequest,
    point: AccessPoint,
    tenure: Tenure,
    mandate_id: str,
    now: datetime,
    *,
    requested: bool,
) -> Mandate:
    return rules.grant(
        mandate_id=mandate_id,
        point=point,
        tenure=tenure,
        edv=request.edv,
        granularity=request.granularity,
        period_start=request.period_start,
        period_end=request.period_end,
        granted_by=sub,
        now=now,
        reference_number=request.reference_number,
        status=MandateStatus.REQUESTED if requested else MandateStatus.ACTIVE,
    )


def _taking_the_pair(
    mandate: Mandate, point: AccessPoint, now: datetime, renews: Mandate | None = None
) -> mandate_changes_store.Change:
    """A mandate becoming the pair's active one: the one it replaces ends, race-free (R5); as
    `renewed` when it is the one being renewed, and only if it still is the pair's active one."""
    change = mandate_changes_store.Change()
    current = mandates_store.active_of_edv_and_ean(mandate.edv, mandate.ean)
    if current is not None and current.status is not MandateStatus.ACTIVE:
        raise ContendedError()  # read between another grant's two writes: read again
    if renews is not None and (current is None or current.id != renews.id):
        raise DomainError("conflict", "This mandate was replaced or ended meanwhile.")
    if current is not None:
        reason = EndReason.RENEWED if renews is not None else EndReason.REPLACED
        closed = rules.supersede(current, now, reason)
        change.mandates.append(closed)
        change.events.append(feed.ended(closed))
        _owing(change, current, closed, mandate, now)
    change.mandates.append(mandate)
    change.new_pairs.append((mandate, point, current.id if current else None))
    change.events.append(feed.granted(mandate, renews=renews.id if renews else None))
    return change


def _owing(
    change: mandate_changes_store.Change,
    before: Mandate,
    stopped: Mandate,
    after: Mandate | None,
    now: datetime,
) -> None:
    """The purge duties a mandate that stopped giving access leaves (account.duties): what it
    held that the pair's mandate in force afterwards (`after`, if any) does not."""
    assert stopped.end_reason is not None
    owed = accounts.duties(
        before,
        after,
        PurgeReason(stopped.end_reason.value),
        readable_until=accounts.readable_until(stopped),
        since=now,
    )
    change.duties += owed
    change.events += [feed.purge_due(duty) for duty in owed]


def request_renewal(enterprise_number: str, mandate_id: str, now: datetime) -> Mandate:
    """The EDV (a member, or its machine client) asks the customer to renew one of its mandates
    in the last 90 days of its validity; asking again changes nothing. Another EDV's mandate is
    not found."""
    onboarding_store.active_application(enterprise_number)

    def attempt() -> Mandate:
        mandate = mandates_store.get(mandate_id)
        if mandate is None or mandate.edv != enterprise_number:
            raise DomainError("not_found", "There is no such mandate.")
        asked = rules.request_renewal(mandate, now)
        if asked is None:
            return mandate
        _commit(
            mandate_changes_store.Change(mandates=[asked], events=[feed.renewal_requested(asked)]),
            now,
        )
        return asked

    return retrying(attempt)


def request_renewal_of_pair(sub: str, enterprise_number: str, ean: str, now: datetime) -> Mandate:
    """An administrator of the EDV asks, from the portal, for the pair's active mandate (members
    read; administrators change)."""
    directory.admin_of(sub, enterprise_number)
    mandate = mandates_store.active_of_edv_and_ean(enterprise_number, ean)
    if mandate is None or not mandate.gives_access_at(now):
        raise DomainError("no_mandate", "This EDV has no active mandate on this access point.")
    return request_renewal(enterprise_number, mandate.id, now)


def renew(sub: str, mandate_id: str, now: datetime) -> Mandate:
    """The customer renews a mandate, asked or not: the current grid user it was granted for. A
    new mandate, same EDV, EAN, granularity and period, three more years; the old one ends as
    `renewed` in the same transaction."""
    identities = acting_as(sub)
    new_id = str(uuid.uuid4())

    def attempt() -> Mandate:
        mandate = _concerning(sub, identities, mandate_id)
        onboarding_store.active_application(mandate.edv)
        point = access_points_store.get(mandate.ean)
        tenure = require_grid_user(point, identities, brussels_date(now))
        assert point is not None
        renewed = rules.renewal(mandate, tenure, sub, new_id, now)
        _commit(_counted(_taking_the_pair(renewed, point, now, renews=mandate), renewed, now), now)
        return renewed

    return retrying(attempt)


def announce_expiring(as_of: datetime) -> int:
    """Part of the daily expiry job: `expiring` for each active mandate with 30 days or less of
    validity left, once (a rerun finds it announced). Renewed ones are no longer active."""
    count = 0
    for due in list(mandates_store.expiring_by(as_of, as_of + rules.EXPIRING_NOTICE)):

        def attempt(mandate_id: str = due.id) -> bool:
            mandate = mandates_store.get(mandate_id)
            announced = rules.announce_expiring(mandate, as_of) if mandate else None
            if announced is None:
                return False
            change = mandate_changes_store.Change(
                mandates=[announced], events=[feed.expiring(announced)]
            )
            _commit(change, as_of)
            return True

        count += retrying(attempt)
    return count


def approve(sub: str, mandate_id: str, now: datetime) -> Mandate:
    """The grid user approves a requested consent: granted now, replacing the pair's active
    mandate as a grant does."""

    def attempt() -> Mandate:
        asked, point, tenure = _requested_of_grid_user(sub, mandate_id, now)
        onboarding_store.active_application(asked.edv)
        mandate = rules.approve(asked, tenure, now)
        _commit(_counted(_taking_the_pair(mandate, point, now), mandate, now), now)
        return mandate

    return retrying(attempt)


def refuse(sub: str, mandate_id: str, now: datetime) -> Mandate:
    def attempt() -> Mandate:
        asked, _, _ = _requested_of_grid_user(sub, mandate_id, now)
        refused = rules.refuse(asked, now)
        change = mandate_changes_store.Change(mandates=[refused], events=[feed.rejected(refused)])
        _commit(change, now)
        return refused

    return retrying(attempt)


def _requested_of_grid_user(
    sub: str, mandate_id: str, now: datetime
) -> tuple[Mandate, AccessPoint, Tenure]:
    """A consent asked of the caller, as current grid user, with the access point and the
    caller's tenure as read; anyone else learns nothing of it."""
    mandate = _mandate(mandate_id)
    point = access_points_store.get(mandate.ean) if mandate else None
    tenure = point.tenure_on(brussels_date(now)) if point else None
    current = tenure.grid_user if tenure else None
    if mandate is None or point is None or tenure is None or current not in acting_as(sub):
        raise DomainError("not_found", "There is no such mandate.")
    if current != mandate.grid_user:
        raise DomainError("conflict", "This consent was asked of an earlier grid user.")
    return mandate, point, tenure


@dataclass(frozen=True)
class Declined:
    """A consent request declined: the rejected mandates of the EANs the customer named (none
    when declined as a whole), and what the customer still shares with that EDV."""

    mandates: list[Mandate]
    still_shared: list[Mandate]
    return_url_failed: str | None  # where the customer goes back to the EDV


def decline(sub: str, identifier: str, eans: list[str], now: datetime) -> Declined:
    """The customer declines an EDV's consent request. The decline is recorded on the request,
    and the EDV hears it by its reference number (`consent_declined`, naming no EAN); only the
    EANs the customer named become rejected mandates under that reference, so a customer who
    says no discloses nothing they did not choose to. Once per request; one transaction."""
    identities = acting_as(sub)
    today = brussels_date(now)
    named = list(dict.fromkeys(eans))
    if len(named) > MAX_DECLINED_EANS:
        raise DomainError("validation_error", f"At most {MAX_DECLINED_EANS} EANs per decline.")

    def attempt() -> list[Mandate]:
        session = consent.get(identifier, now)
        if session.declined_at is not None:
            raise DomainError("conflict", "You already declined this request.")
        declined = _declined(sub, identities, session, named, today, now)
        change = mandate_changes_store.Change(
            mandates=declined,
            events=[
                *(feed.rejected(mandate) for mandate in declined),
                feed.consent_declined(session.edv, session.reference_number, now),
            ],
            declined_session=(session.identifier, sub),
        )
        _commit(change, now)
        return declined

    declined = retrying(attempt)
    session = consent.get(identifier, now)
    shared = [m for m in of_person(sub) if m.edv == session.edv and m.gives_access_at(now)]
    return Declined(declined, shared, session.return_url_failed)


def _declined(
    sub: str,
    identities: set[GridUser],
    session: Session,
    eans: list[str],
    today: date,
    now: datetime,
) -> list[Mandate]:
    """A rejected mandate for each EAN named, which must be the caller's own."""
    service = session.services[0] if session.services else None
    declined = []
    for ean in eans:
        point = access_points_store.get(ean)
        tenure = require_grid_user(point, identities, today)
        assert point is not None and tenure.grid_user is not None
        granularity = service.granularity if service else Granularity.DAY
        if granularity is not Granularity.DAY:  # "the finest" of this EAN's energy
            granularity = point.energy.fine_granularity
        period_start = (service.period_start if service else None) or max(tenure.since, today)
        period_end = (service.period_end if service else None) or period_start + timedelta(days=1)
        declined.append(
            rules.declined(
                mandate_id=str(uuid.uuid4()),
                point=point,
                grid_user=tenure.grid_user,
                edv=session.edv,
                granularity=granularity,
                period_start=period_start,
                period_end=period_end,
                declined_by=sub,
                reference_number=session.reference_number,
                now=now,
            )
        )
    return declined


EVENT_METRICS = {
    "requested": Metric.MANDATES_REQUESTED,
    "rejected": Metric.MANDATES_REJECTED,
    "granted": Metric.MANDATES_GRANTED,
    "ended": Metric.MANDATES_ENDED,
    "expired": Metric.MANDATES_EXPIRED,
    "period_truncated": Metric.MANDATES_TRUNCATED,
    "renewal_requested": Metric.MANDATES_RENEWAL_REQUESTED,
    "expiring": Metric.MANDATES_EXPIRING,
    "purge_due": Metric.PURGE_DUTIES_DUE,
    "consent_declined": Metric.CONSENTS_DECLINED,
}
assert set(EVENT_METRICS) == {kind.value for kind in EventType}


def _commit(change: mandate_changes_store.Change, now: datetime) -> None:
    """Write the change; each event it caused counts in the service's metrics, and goes out to
    the EDV's webhook endpoints."""
    for event in mandate_changes_store.commit(change, now):
        metrics.add(EVENT_METRICS[event.type.value])
    webhooks.dispatch_quietly({event.edv for event in change.events}, now)


def _mandate(mandate_id: str) -> Mandate | None:
    """By the id a caller gave: one that is not an id we hand out names nothing."""
    return mandates_store.get(mandate_id) if is_shaped("mandate", mandate_id) else None


def _concerning(sub: str, identities: set[GridUser], mandate_id: str) -> Mandate:
    """A mandate the caller may see (account.concerns), or not found."""
    mandate = _mandate(mandate_id)
    if mandate is None or not accounts.concerns(mandate, sub, identities):
        raise DomainError("not_found", "There is no such mandate.")
    return mandate


def end(sub: str, mandate_id: str, now: datetime) -> Mandate:
    """R7: by the customer who granted it, or by the grid user it was granted for. Never by the
    EDV, nor by a later occupant of the EAN (to them it does not exist)."""
    identities = acting_as(sub)

    def attempt() -> Mandate:
        mandate = _concerning(sub, identities, mandate_id)
        reason = accounts.end_reason_for(mandate, sub, identities)
        ended = rules.end(mandate, reason, now)
        change = mandate_changes_store.Change(
            mandates=[ended], closed_pairs=[ended], events=[feed.ended(ended)]
        )
        _owing(change, mandate, ended, None, now)
        _commit(change, now)
        return ended

    return retrying(attempt)


def end_all_of_edv(enterprise_number: str, now: datetime) -> int:
    """The EDV terminated its contract: every mandate it holds ends (edv_terminated)."""
    count = 0
    for _, mandate_id in list(projections_store.active_of_edv(enterprise_number)):
        if _close(mandate_id, now, EndReason.EDV_TERMINATED):
            count += 1
    return count


def _close(mandate_id: str, now: datetime, reason: EndReason) -> bool:
    def attempt() -> bool:
        mandate = mandates_store.get(mandate_id)
        closed = rules.close(mandate, reason, now) if mandate else None
        if mandate is None or closed is None:
            return False  # someone else closed it meanwhile, or it is not due: nothing to do
        change = mandate_changes_store.Change(
            mandates=[closed], closed_pairs=[closed], events=[feed.ended(closed)]
        )
        _owing(change, mandate, closed, None, now)
        _commit(change, now)
        return True

    return retrying(attempt)


def expire_due(as_of: datetime) -> int:
    """The expiry job: mandates past valid_until become expired, with an `expired` event."""
    return sum(
        _close(due.id, as_of, EndReason.EXPIRED) for due in mandates_store.due_for_expiry(as_of)
    )


def truncate_for(
    ean: str,
    scenario: Scenario,
    effective_date: date,
    new_grid_user: GridUser | None,
    recorded_on: date,
    now: datetime,
) -> int:
    """R8: active mandates of the outgoing grid user end their period at the effective date."""
    count = 0
    for candidate in mandates_store.of_ean(ean):
        if not candidate.gives_access_at(now) or candidate.grid_user == new_grid_user:
            continue

        def attempt(mandate_id: str = candidate.id) -> bool:
            mandate = mandates_store.get(mandate_id)
            if mandate is None or not mandate.gives_access_at(now):
                return False
            truncated = rules.truncate(mandate, scenario, effective_date, now)
            if truncated is None:
                return False
            purge = rules.purge_from(effective_date, recorded_on)
            event = feed.truncated(truncated, truncated.period_adjustments[-1], purge)
            # What the EDV could have fetched from the effective date on before the scenario
            # was reported (reads never pass today): a duty when it was reported late.
            owed = accounts.duties(
                mandate,
                truncated,
                PurgeReason.PERIOD_TRUNCATED,
                readable_until=recorded_on + timedelta(days=1),
                since=now,
            )
            change = mandate_changes_store.Change(
                mandates=[truncated],
                events=[event, *(feed.purge_due(duty) for duty in owed)],
                duties=owed,
            )
            _commit(change, now)
            return True

        count += retrying(attempt)
    return count


# Customers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerMandate:
    """A mandate as its customer sees it: with, once it stopped or was cut short, whether the
    EDV confirmed it deleted what it held."""

    mandate: Mandate
    purge: PurgeStatus | None


def of_person(sub: str) -> list[Mandate]:
    """What a customer sees (account.concerns), newest first: the mandates they granted or
    asked for, and those granted for them as grid user (themselves, or an organisation they
    administer), consents asked of them included. Not a previous occupant's: not theirs."""
    identities = acting_as(sub)
    seen: dict[str, Mandate] = {m.id: m for m in mandates_store.of_granter(sub)}
    for identity in identities:
        for mandate in mandates_store.of_grid_user(identity):
            seen.setdefault(mandate.id, mandate)
    return accounts.newest_first(seen.values())


def page_of_person(
    sub: str, now: datetime, limit: int, start: Position | None
) -> tuple[list[CustomerMandate], Position | None]:
    """A page of the customer's list, each stopped or cut-short mandate with whether the EDV
    confirmed deleting (read for the page's mandates only)."""
    page, resume = offset_page(of_person(sub), limit, start)
    return [CustomerMandate(m, _purge_status(m, now)) for m in page], resume


def _purge_status(mandate: Mandate, now: datetime) -> PurgeStatus | None:
    """Read only for a mandate that can have duties: stopped, or cut short by a scenario."""
    if not accounts.gave_access(mandate):
        return None
    if mandate.gives_access_at(now) and not mandate.period_adjustments:
        return None
    duties = purge_duties_store.of_pair(mandate.edv, mandate.ean)
    return accounts.purge_status([d for d in duties if d.mandate_id == mandate.id])


def get_for_person(sub: str, mandate_id: str, now: datetime) -> CustomerMandate:
    mandate = _concerning(sub, acting_as(sub), mandate_id)
    return CustomerMandate(mandate, _purge_status(mandate, now))


# EDVs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetersFilter:
    ean_prefix: str | None = None
    energy: str | None = None
    meter_type: str | None = None
    granularity: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class MeterOfOther:
    row: EdvAccessPoint
    point: AccessPoint | None  # only while the mandate gives access (R7)

    @property
    def status(self) -> MandateStatus:
        """As the EDV sees it now: an active mandate it can no longer read by (past its
        validity, or its EAN gone from the registry) is expired."""
        if self.row.status is MandateStatus.ACTIVE and self.point is None:
            return MandateStatus.EXPIRED
        return self.row.status


def meters_of_others(
    sub: str,
    enterprise_number: str,
    filters: MetersFilter,
    now: datetime,
    limit: int,
    start: Key | None,
) -> tuple[list[MeterOfOther], Key | None]:
    directory.member_of(sub, enterprise_number)
    rows, resume = projections_store.page_of_edv(
        enterprise_number,
        ean_prefix=filters.ean_prefix,
        energy=filters.energy,
        meter_type=filters.meter_type,
        granularity=filters.granularity,
        status=filters.status,
        now=now,
        limit=limit,
        start=start,
    )
    readable = {
        row.ean
        for row in rows
        if rules.seen_status(row.status, row.valid_until, now) is MandateStatus.ACTIVE
    }
    points = access_points_store.get_many(readable)
    return [MeterOfOther(row, points.get(row.ean)) for row in rows], resume


@dataclass(frozen=True)
class EdvAccessPointDetail:
    account: PairAccount
    point: AccessPoint | None  # only while the mandate in force gives access
    duties: list[PurgeDuty]  # the pair's open purge duties

    @property
    def energy(self) -> Energy:
        """The EAN's energy, as the pair's mandates (in force, or asked for) name it."""
        pair = self.account
        return (pair.in_force or pair.requests[0]).energy


def access_point_for_edv(
    sub: str, enterprise_number: str, ean: str, now: datetime
) -> EdvAccessPointDetail:
    """The EDV's account of one EAN: the mandate in force (never a request), the earlier ones,
    the requests, what it may keep now, and what it must still delete."""
    directory.member_of(sub, enterprise_number)
    history = mandates_store.of_edv_and_ean(enterprise_number, ean)
    if not history:
        raise DomainError("no_mandate", "This EDV has no mandate on this access point.")
    pair = accounts.account(history, now)
    point = access_points_store.get(ean) if pair.may_read else None
    open_duties = [d for d in purge_duties_store.of_pair(enterprise_number, ean) if d.is_open]
    return EdvAccessPointDetail(pair, point, open_duties)


@dataclass(frozen=True)
class FeedSlice:
    events: list[FeedEvent]
    more: bool  # more events now, past this slice
    resume: dict[str, int]  # where the next slice starts: after the last event given


def feed_page(
    sub: str, enterprise_number: str, start: dict[str, Any] | None, limit: int
) -> FeedSlice:
    """The EDV's feed after the position `start` (one this gave out), `limit` events at most.
    The position is where a reader continues, now or later, for events yet to come."""
    directory.member_of(sub, enterprise_number)
    after = start.get("seq", 0) if start else 0
    if not isinstance(after, int) or after < 0:
        raise DomainError("invalid_cursor", "The cursor is not one this list gave out.")
    events = feed_store.page(enterprise_number, after, limit + 1)
    page = events[:limit]
    return FeedSlice(page, len(events) > limit, {"seq": page[-1].seq if page else after})
