"""Granting, ending, expiring and truncating mandates (R5-R8), and what an EDV sees of them."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from ..domain import feed
from ..domain import mandates as rules
from ..domain.access_points import AccessPoint, GridUser, Tenure, require_grid_user
from ..domain.brussels import brussels_date
from ..domain.errors import DomainError
from ..domain.feed import FeedEvent
from ..domain.mandates import Mandate
from ..domain.onboarding import require_active
from ..domain.vocabulary import EndReason, Granularity, MandateStatus, Scenario
from ..observability import Metric, metrics
from ..store import access_points as access_points_store
from ..store import directory as directory_store
from ..store import feed as feed_store
from ..store import mandate_changes as mandate_changes_store
from ..store import mandates as mandates_store
from ..store import onboarding as onboarding_store
from ..store import projections as projections_store
from ..store.base import ContendedError
from . import directory, webhooks
from .access_points import acting_as
from .contention import retrying

if TYPE_CHECKING:
    from ..store.base import Key
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


def grant(sub: str, request: GrantRequest, now: datetime) -> Mandate:
    """R5. A grant on a pair (EAN, EDV) with an active mandate replaces it, race-free; and it
    commits only if the grid user it was checked against is still the grid user (a move
    reported meanwhile makes it re-read, and refuse). Someone who may not grant alone (a member
    of the grid-user organisation, or a co-occupant who gives the meter's number) asks instead:
    the mandate is `requested` until the grid user approves or refuses it."""
    identities = acting_as(sub)
    require_active(onboarding_store.get_application(request.edv))
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
            _commit(change, now)
            return asked
        assert point is not None
        mandate = _new_mandate(sub, request, point, tenure, mandate_id, now, requested=False)
        _commit(_taking_the_pair(mandate, point, now), now)
        return mandate

    return retrying(attempt)


def _may_request(
    sub: str, point: AccessPoint | None, meter_number: str | None, now: datetime
) -> tuple[AccessPoint, Tenure] | None:
    """Whether a person who may not grant may ask the grid user: a member of the grid-user
    organisation, or someone at the address who can read the meter's number."""
    tenure = point.tenure_on(brussels_date(now)) if point else None
    if point is None or tenure is None or tenure.grid_user is None:
        return None
    grid_user = tenure.grid_user
    member = grid_user.kind == "org" and any(
        link.enterprise_number == grid_user.id for link in directory_store.links_of_person(sub)
    )
    co_occupant = (
        grid_user.kind == "person"
        and meter_number is not None
        and hmac.compare_digest(meter_number.strip().upper(), point.meter_number.upper())
    )
    return (point, tenure) if member or co_occupant else None


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
    change.mandates.append(mandate)
    change.new_pairs.append((mandate, point, current.id if current else None))
    change.events.append(feed.granted(mandate, renews=renews.id if renews else None))
    return change


def request_renewal(enterprise_number: str, mandate_id: str, now: datetime) -> Mandate:
    """The EDV (a member, or its machine client) asks the customer to renew one of its mandates
    in the last 90 days of its validity; asking again changes nothing. Another EDV's mandate is
    not found."""
    require_active(onboarding_store.get_application(enterprise_number))

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
    """A member of the EDV asks, from the portal, for the pair's active mandate."""
    directory.member_of(sub, enterprise_number)
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
        mandate = mandates_store.get(mandate_id)
        if mandate is None or not _visible_to(sub, mandate, now):
            raise DomainError("not_found", "There is no such mandate.")
        require_active(onboarding_store.get_application(mandate.edv))
        point = access_points_store.get(mandate.ean)
        tenure = require_grid_user(point, identities, brussels_date(now))
        assert point is not None
        renewed = rules.renewal(mandate, tenure, sub, new_id, now)
        _commit(_taking_the_pair(renewed, point, now, renews=mandate), now)
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
        require_active(onboarding_store.get_application(asked.edv))
        mandate = rules.approve(asked, tenure, now)
        _commit(_taking_the_pair(mandate, point, now), now)
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
    mandate = mandates_store.get(mandate_id)
    point = access_points_store.get(mandate.ean) if mandate else None
    tenure = point.tenure_on(brussels_date(now)) if point else None
    current = tenure.grid_user if tenure else None
    if mandate is None or point is None or tenure is None or current not in acting_as(sub):
        raise DomainError("not_found", "There is no such mandate.")
    if current != mandate.grid_user:
        raise DomainError("conflict", "This consent was asked of an earlier grid user.")
    return mandate, point, tenure


def decline(sub: str, session: Session, eans: list[str], now: datetime) -> list[Mandate]:
    """The customer declines an EDV's consent request: for each EAN of theirs it named, a
    rejected mandate under the EDV's reference number, so the EDV learns what became of it."""
    identities = acting_as(sub)
    today = brussels_date(now)
    service = session.services[0]
    declined = []
    for ean in dict.fromkeys(eans):
        point = access_points_store.get(ean)
        tenure = require_grid_user(point, identities, today)
        assert point is not None and tenure.grid_user is not None
        granularity = service.granularity
        if granularity is not Granularity.DAY:  # "the finest" of this EAN's energy
            granularity = rules.GRANULARITIES[point.energy][1]
        period_start = service.period_start or max(tenure.since, today)
        declined.append(
            rules.declined(
                mandate_id=str(uuid.uuid4()),
                point=point,
                grid_user=tenure.grid_user,
                edv=session.edv,
                granularity=granularity,
                period_start=period_start,
                period_end=service.period_end or period_start + timedelta(days=1),
                declined_by=sub,
                reference_number=session.reference_number,
                now=now,
            )
        )
    change = mandate_changes_store.Change(
        mandates=declined, events=[feed.rejected(mandate) for mandate in declined]
    )
    _commit(change, now)
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
}


def _commit(change: mandate_changes_store.Change, now: datetime) -> None:
    """Write the change; each event it caused counts in the service's metrics, and goes out to
    the EDV's webhook endpoints."""
    for event in mandate_changes_store.commit(change, now):
        metrics.add(EVENT_METRICS[event.type.value])
    webhooks.dispatch_quietly({mandate.edv for mandate in change.mandates}, now)


def _visible_to(sub: str, mandate: Mandate, now: datetime) -> bool:
    if mandate.granted_by == sub:
        return True
    point = access_points_store.get(mandate.ean)
    current = point.grid_user_on(brussels_date(now)) if point else None
    return current is not None and current in acting_as(sub)


def end(sub: str, mandate_id: str, now: datetime) -> Mandate:
    """R7: by the customer who granted it, or by the current grid user. Never by the EDV."""

    def attempt() -> Mandate:
        mandate = mandates_store.get(mandate_id)
        if mandate is None:
            raise DomainError("not_found", "There is no such mandate.")
        point = access_points_store.get(mandate.ean)
        current = point.grid_user_on(brussels_date(now)) if point else None
        reason = rules.end_reason_for(mandate, sub, acting_as(sub), current)
        ended = rules.end(mandate, reason, now)
        change = mandate_changes_store.Change(
            mandates=[ended], closed_pairs=[ended], events=[feed.ended(ended)]
        )
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
        if closed is None:
            return False  # someone else closed it meanwhile, or it is not due: nothing to do
        _commit(
            mandate_changes_store.Change(
                mandates=[closed], closed_pairs=[closed], events=[feed.ended(closed)]
            ),
            now,
        )
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
            _commit(mandate_changes_store.Change(mandates=[truncated], events=[event]), now)
            return True

        count += retrying(attempt)
    return count


# Customers --------------------------------------------------------------------------------


def of_person(sub: str, now: datetime) -> list[Mandate]:
    """What a customer sees: the mandates they granted or asked for, and, on the access points
    they are grid user of now, the active ones (which they may end) and the consents asked of
    them (to approve or refuse, and those they refused)."""
    seen: dict[str, Mandate] = {m.id: m for m in mandates_store.of_granter(sub)}
    today = brussels_date(now)
    identities = acting_as(sub)
    for identity in identities:
        for point in access_points_store.of_grid_user(identity):
            if point.grid_user_on(today) != identity:
                continue
            for mandate in mandates_store.of_ean(point.ean):
                asked_of_them = mandate.grid_user == identity and mandate.status in (
                    MandateStatus.REQUESTED,
                    MandateStatus.REJECTED,  # what they refused stays in sight
                )
                if mandate.gives_access_at(now) or asked_of_them:
                    seen.setdefault(mandate.id, mandate)
    return sorted(seen.values(), key=lambda m: (m.granted_at, m.id), reverse=True)


def get_for_person(sub: str, mandate_id: str, now: datetime) -> Mandate:
    mandate = mandates_store.get(mandate_id)
    if mandate is None or not _visible_to(sub, mandate, now):
        raise DomainError("not_found", "There is no such mandate.")
    return mandate


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
    mandates: list[Mandate]  # newest first
    point: AccessPoint | None  # only while the latest mandate gives access


def access_point_for_edv(
    sub: str, enterprise_number: str, ean: str, now: datetime
) -> EdvAccessPointDetail:
    directory.member_of(sub, enterprise_number)
    history = mandates_store.of_edv_and_ean(enterprise_number, ean)
    if not history:
        raise DomainError("no_mandate", "This EDV has no mandate on this access point.")
    readable = any(mandate.gives_access_at(now) for mandate in history)
    point = access_points_store.get(ean) if readable else None
    return EdvAccessPointDetail(history, point)


def readable_mandate(enterprise_number: str, ean: str, now: datetime) -> Mandate:
    """R9 for every read of meter data: an active EDV with a mandate that gives access now."""
    require_active(onboarding_store.get_application(enterprise_number))
    mandate = mandates_store.active_of_edv_and_ean(enterprise_number, ean)
    if mandate is None or not mandate.gives_access_at(now):
        raise DomainError("no_mandate", "This EDV has no active mandate on this access point.")
    return mandate


def feed_after(sub: str, enterprise_number: str, after_seq: int, limit: int) -> list[FeedEvent]:
    directory.member_of(sub, enterprise_number)
    return feed_store.page(enterprise_number, after_seq, limit)
