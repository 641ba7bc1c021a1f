"""Customers' mandates (R5, R7) and the EDV's change feed."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ..domain.consent import MAX_DECLINED_EANS
from ..domain.mandates import valid_until
from ..domain.vocabulary import (
    EndReason,
    EventType,
    Granularity,
    MandateStatus,
    RenewalState,
    Scenario,
)
from ..services import consent, mandates
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, decode_cursor, encode_cursor, paged
from ..serving.routing import Api, Auth, Call
from ..serving.types import Ean, EnterpriseNumber, Instant

if TYPE_CHECKING:
    from ..domain.account import PurgeStatus
    from ..domain.feed import FeedEvent
    from ..domain.mandates import Mandate
    from ..services.mandates import CustomerMandate

api = Api("Mandates")


class GrantRequest(RequestBody):
    edv: EnterpriseNumber
    ean: Ean
    granularity: Granularity
    period_start: date
    period_end: date = Field(description="Exclusive: the period is [period_start, period_end).")
    session: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="The EDV's consent request (shortUrlIdentifier), when the EDV started it.",
    )
    meter_number: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="Someone at the address who is not the grid user asks the grid user with "
        "the number on the meter: the mandate is then `requested` until the grid user approves.",
    )


class DeclineRequest(RequestBody):
    eans: list[Ean] = Field(
        default_factory=list,
        max_length=MAX_DECLINED_EANS,
        description="Only the EANs the customer chose to name, each then a `rejected` mandate "
        "the EDV sees under its reference number. None: the request is declined as a whole and "
        "the EDV learns no EAN.",
    )


class DeclinedView(ApiModel):
    mandates: list[MandateView] = Field(description="The rejected mandates of the EANs named.")
    still_shared: list[MandateView] = Field(
        description="What the customer still shares with this EDV (active mandates they may "
        "stop): declining a request does not end them."
    )
    return_url_failed: str | None = Field(description="Where to send the customer now.")


class RequestedServiceView(ApiModel):
    granularity: Granularity = Field(description="`quarter_hour` means the EAN's finest data")
    period_start: date | None
    period_end: date | None


class ConsentSessionView(ApiModel):
    """What an EDV asks for, to fill in the consent page."""

    edv: str
    edv_name: str
    reference_number: str
    flow: str
    services: list[RequestedServiceView]
    number_of_eans: int | None
    return_url_success: str | None
    return_url_failed: str | None
    valid_to: Instant
    declined_at: Instant | None = Field(None, description="When the customer declined it.")


class AdjustmentView(ApiModel):
    previous_end: date
    new_end: date
    scenario: Scenario
    effective_date: date
    recorded_at: Instant


class PurgeStatusView(ApiModel):
    """For the customer: whether the EDV confirmed it deleted what it may no longer keep."""

    duties: int = Field(description="Spans of data the EDV had to delete")
    confirmed: int = Field(description="How many of them it confirmed deleting")
    confirmed_at: Instant | None = Field(description="When the last came, once all are")


class MandateView(ApiModel):
    id: str
    ean: str
    edv: str
    granularity: Granularity
    period_start: date
    period_end: date
    granted_at: Instant
    valid_until: Instant
    status: MandateStatus
    end_reason: EndReason | None
    ended_at: Instant | None
    period_adjustments: list[AdjustmentView]
    reference_number: str | None
    you_decide: bool = Field(
        False, description="A consent asked of you, the grid user: approve or refuse it."
    )
    valid_until_if_approved: Instant | None = Field(
        None,
        description="When you decide: how long it would stay valid if you approved it now "
        "(three years from the approval, not from the request).",
    )
    renewal: RenewalState | None = Field(
        None,
        description="`due` in the last 90 days of validity, `requested` once the EDV asked you "
        "to renew (POST …/renew), `expired` when it lapsed.",
    )
    renewal_requested_at: Instant | None = None
    purge: PurgeStatusView | None = Field(
        None,
        description="Once the mandate stopped or was cut short: the EDV's duties to delete "
        "what it held, and whether it confirmed (customers' views only).",
    )


MandatePage = Page[MandateView]


class FeedEntry(ApiModel):
    seq: int
    type: EventType
    mandate_id: str | None = Field(description="null for consent_declined")
    ean: str | None = Field(description="null for consent_declined: the customer named none")
    at: Instant
    recorded_at: Instant | None
    details: dict[str, Any] = Field(
        description="requested/granted: granularity, period, valid_until, reference_number; "
        "rejected: end_reason, reference_number; ended/expired: end_reason; period_truncated: "
        "previous_end, new_end, scenario, effective_date, purge_from (delete data from then on); "
        "granted of a renewal: renews (the mandate it renews, ended as `renewed`); "
        "renewal_requested: valid_until; expiring (30 days left): valid_until, "
        "renewal_requested; purge_due: duty_id, from, to, keep, reason (delete that data and "
        "confirm the duty); consent_declined: reference_number (a consent request declined "
        "as a whole, naming no EAN)."
    )


class FeedPage(ApiModel):
    items: list[FeedEntry]
    next_cursor: str | None = Field(description="More events now; null when caught up.")
    poll_cursor: str = Field(description="Where to continue later, for events yet to come.")


def mandate_view(
    mandate: Mandate,
    now: datetime,
    viewer: str | None = None,
    purge: PurgeStatus | None = None,
) -> MandateView:
    """`viewer`: the customer looking, in their own lists (who asked is not who decides)."""
    seen = mandate.seen_at(now)
    deciding = (
        seen.status is MandateStatus.REQUESTED
        and viewer is not None
        and viewer != mandate.granted_by
    )
    return MandateView(
        id=mandate.id,
        ean=mandate.ean,
        edv=mandate.edv,
        granularity=mandate.granularity,
        period_start=mandate.period_start,
        period_end=mandate.period_end,
        granted_at=mandate.granted_at,
        valid_until=mandate.valid_until,
        status=seen.status,
        end_reason=seen.end_reason,
        ended_at=seen.ended_at,
        period_adjustments=[
            AdjustmentView(
                previous_end=a.previous_end,
                new_end=a.new_end,
                scenario=a.scenario,
                effective_date=a.effective_date,
                recorded_at=a.recorded_at,
            )
            for a in mandate.period_adjustments
        ],
        reference_number=mandate.reference_number,
        you_decide=deciding,
        valid_until_if_approved=valid_until(now) if deciding else None,
        renewal=mandate.renewal_at(now),
        renewal_requested_at=mandate.renewal_requested_at,
        purge=PurgeStatusView(
            duties=purge.duties, confirmed=purge.confirmed, confirmed_at=purge.confirmed_at
        )
        if purge
        else None,
    )


def customer_view(found: CustomerMandate, now: datetime, viewer: str) -> MandateView:
    return mandate_view(found.mandate, now, viewer, found.purge)


GRANT_ERRORS = (
    "not_grid_user",
    "edv_not_active",
    "invalid_granularity",
    "invalid_period",
    "period_before_grid_user",
    "invalid_ean",
    "invalid_enterprise_number",
    "too_many_changes",
    "too_many_attempts",
)
DECISION_ERRORS = ("not_found", "conflict", "edv_not_active", "not_grid_user", "too_many_changes")


@api.operation(
    "POST",
    "/v1/me/mandates",
    auth=Auth.PERSON,
    summary="Grant an EDV a mandate on one EAN",
    body=GrantRequest,
    response=MandateView,
    status=201,
    errors=(*GRANT_ERRORS, "conflict", "not_found"),
)
def grant_mandate(call: Call, body: GrantRequest) -> MandateView:
    """Valid three years from now. An active mandate of the same EDV on the EAN is replaced.
    Asked by a member of the grid-user organisation who may not grant, or by a co-occupant
    (with `meter_number`), it is `requested` until the grid user approves or refuses it."""
    mandate = mandates.grant(
        call.person.sub,
        mandates.GrantRequest(
            edv=body.edv,
            ean=body.ean,
            granularity=body.granularity,
            period_start=body.period_start,
            period_end=body.period_end,
            meter_number=body.meter_number,
            session=body.session,
        ),
        call.now,
    )
    return mandate_view(mandate, call.now)


@api.operation(
    "POST",
    "/v1/me/mandates/{mandate_id}/approve",
    auth=Auth.PERSON,
    summary="Approve a consent asked of me",
    response=MandateView,
    errors=DECISION_ERRORS,
)
def approve_mandate(call: Call, mandate_id: str) -> MandateView:
    """The grid user grants a `requested` mandate: active from now, valid three years."""
    return mandate_view(mandates.approve(call.person.sub, mandate_id, call.now), call.now)


@api.operation(
    "POST",
    "/v1/me/mandates/{mandate_id}/refuse",
    auth=Auth.PERSON,
    summary="Refuse a consent asked of me",
    response=MandateView,
    errors=DECISION_ERRORS,
)
def refuse_mandate(call: Call, mandate_id: str) -> MandateView:
    """The grid user refuses a `requested` mandate: it becomes `rejected`; nothing was read."""
    return mandate_view(mandates.refuse(call.person.sub, mandate_id, call.now), call.now)


@api.operation(
    "POST",
    "/v1/me/mandates/{mandate_id}/renew",
    auth=Auth.PERSON,
    summary="Renew a mandate: three more years, the same choices",
    response=MandateView,
    status=201,
    errors=DECISION_ERRORS,
)
def renew_mandate(call: Call, mandate_id: str) -> MandateView:
    """By the current grid user it was granted for, asked by the EDV or not: a new mandate for
    the same EDV, EAN, granularity and period, valid three years from now. The old one ends with
    reason `renewed`; the EDV sees `granted` with `renews` naming it."""
    renewed = mandates.renew(call.person.sub, mandate_id, call.now)
    return mandate_view(renewed, call.now, call.person.sub)


@api.operation(
    "POST",
    "/v1/consent-sessions/{identifier}/decline",
    auth=Auth.PERSON,
    summary="Decline an EDV's consent request",
    body=DeclineRequest,
    response=DeclinedView,
    status=201,
    errors=("not_found", "not_grid_user", "invalid_ean", "conflict"),
)
def decline_consent_session(call: Call, identifier: str, body: DeclineRequest) -> DeclinedView:
    """The customer says no, once per request. The EDV hears it by its reference number (the
    feed's and webhooks' `consent_declined`, the machine API's consent-request extension),
    naming no EAN; only the EANs the customer names become `rejected` mandates under that
    reference (the machine API: `Rejected`). The answer says what the customer still shares
    with the EDV: declining a request ends nothing."""
    declined = mandates.decline(call.person.sub, identifier, body.eans, call.now)
    return DeclinedView(
        mandates=[mandate_view(m, call.now, call.person.sub) for m in declined.mandates],
        still_shared=[mandate_view(m, call.now, call.person.sub) for m in declined.still_shared],
        return_url_failed=declined.return_url_failed,
    )


@api.operation(
    "GET",
    "/v1/consent-sessions/{identifier}",
    auth=Auth.PUBLIC,
    summary="An EDV's consent request (EDV-initiated consent)",
    response=ConsentSessionView,
    errors=("not_found",),
)
def get_consent_session(call: Call, identifier: str) -> ConsentSessionView:
    """The consent page opened with `?sessie=` shows this, pre-filled, and afterwards sends the
    customer to `return_url_success` or `return_url_failed`. Knowing the identifier is the key."""
    session = consent.get(identifier, call.now)
    return ConsentSessionView(
        edv=session.edv,
        edv_name=session.edv_name,
        reference_number=session.reference_number,
        flow=session.flow,
        services=[
            RequestedServiceView(
                granularity=service.granularity,
                period_start=service.period_start,
                period_end=service.period_end,
            )
            for service in session.services
        ],
        number_of_eans=session.number_of_eans,
        return_url_success=session.return_url_success,
        return_url_failed=session.return_url_failed,
        valid_to=session.valid_to,
        declined_at=session.declined_at,
    )


@api.operation(
    "GET",
    "/v1/me/mandates",
    auth=Auth.PERSON,
    summary="My mandates",
    query=PageQuery,
    response=MandatePage,
    errors=("invalid_cursor",),
)
def list_my_mandates(call: Call, query: PageQuery) -> MandatePage:
    """Those the caller granted or asked for, and those granted for them as grid user (or for
    an organisation they administer), consents asked of them included; never a previous
    occupant's. Each stopped or cut-short mandate says whether the EDV confirmed deleting."""
    page, next_cursor = paged(
        f"my-mandates:{call.person.sub}",
        query,
        lambda limit, start: mandates.page_of_person(call.person.sub, call.now, limit, start),
    )
    items = [customer_view(m, call.now, call.person.sub) for m in page]
    return MandatePage(items=items, next_cursor=next_cursor)


@api.operation(
    "GET",
    "/v1/me/mandates/{mandate_id}",
    auth=Auth.PERSON,
    summary="One of my mandates",
    response=MandateView,
    errors=("not_found",),
)
def get_my_mandate(call: Call, mandate_id: str) -> MandateView:
    return customer_view(
        mandates.get_for_person(call.person.sub, mandate_id, call.now), call.now, call.person.sub
    )


@api.operation(
    "POST",
    "/v1/me/mandates/{mandate_id}/end",
    auth=Auth.PERSON,
    summary="End a mandate",
    response=MandateView,
    errors=("not_found", "conflict"),
)
def end_mandate(call: Call, mandate_id: str) -> MandateView:
    """By the customer who granted it, or the grid user it was granted for. The EDV cannot, nor
    a later occupant of the EAN (to whom it does not exist). The EDV must then delete what it
    held: a purge duty (feed `purge_due`), whose confirmation shows in `purge`."""
    return mandate_view(mandates.end(call.person.sub, mandate_id, call.now), call.now)


def _feed_entry(event: FeedEvent) -> FeedEntry:
    return FeedEntry(
        seq=event.seq,
        type=event.type,
        mandate_id=event.mandate_id or None,
        ean=event.ean or None,
        at=event.at,
        recorded_at=event.recorded_at,
        details=event.details,
    )


@api.operation(
    "GET",
    "/v1/organisations/{en}/mandate-events",
    auth=Auth.PERSON,
    summary="The EDV's change feed",
    query=PageQuery,
    response=FeedPage,
    errors=("not_a_member", "invalid_cursor"),
)
def list_mandate_events(call: Call, enterprise_number: str, query: PageQuery) -> FeedPage:
    """requested, rejected, granted, ended, expired, period_truncated (with purge_from),
    renewal_requested, expiring, purge_due and consent_declined, in order, none missing.
    Keep `poll_cursor` to ask later for what happened since."""
    scope = f"feed:{enterprise_number}"
    start = decode_cursor(scope, query.cursor)
    found = mandates.feed_page(call.person.sub, enterprise_number, start, query.limit)
    resume = encode_cursor(scope, found.resume) or ""
    return FeedPage(
        items=[_feed_entry(e) for e in found.events],
        next_cursor=resume if found.more else None,
        poll_cursor=resume,
    )
