"""Purge duties (R7, R8), for the EDV's staff: what it held and may no longer keep, computed on
the server when a mandate change leaves it holding less, and its confirmation that it deleted."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..domain.account import PurgeReason
from ..services import purge_duties
from ..serving.models import ApiModel
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call
from ..serving.types import Instant

if TYPE_CHECKING:
    from ..domain.account import PurgeDuty

api = Api("Purge duties")
BASE = "/v1/organisations/{en}/purge-duties"


class PurgeDutyView(ApiModel):
    """Data of an EAN the EDV held and may no longer keep."""

    id: str
    ean: str
    mandate_id: str = Field(description="The mandate that held the data")
    from_: date = Field(alias="from")
    to: date = Field(description="Exclusive")
    keep: Literal["day"] | None = Field(
        description="`day`: delete the fine values (quarter-hours, hours) and keep the days; "
        "null: delete everything in the span."
    )
    reason: PurgeReason
    since: Instant = Field(description="When the duty arose")
    confirmed_at: Instant | None


PurgeDutyPage = Page[PurgeDutyView]


class PurgeDutiesQuery(PageQuery):
    status: Literal["open", "all"] = Field(
        "open", description="open: not yet confirmed (the default); all: confirmed ones too."
    )


def duty_view(duty: PurgeDuty) -> PurgeDutyView:
    return PurgeDutyView(
        id=duty.id,
        ean=duty.ean,
        mandate_id=duty.mandate_id,
        **{"from": duty.first},
        to=duty.end,
        keep="day" if duty.keep else None,
        reason=duty.reason,
        since=duty.since,
        confirmed_at=duty.confirmed_at,
    )


@api.operation(
    "GET",
    BASE,
    auth=Auth.PERSON,
    summary="What this EDV must delete: its purge duties, oldest first",
    query=PurgeDutiesQuery,
    response=PurgeDutyPage,
    errors=("not_a_member", "invalid_cursor"),
)
def list_purge_duties(call: Call, enterprise_number: str, query: PurgeDutiesQuery) -> PurgeDutyPage:
    """A duty arises when a mandate ends, expires or is replaced by one that keeps less, or when
    a market scenario reported late cuts a period short: the span of the EAN's days the EDV held
    and may no longer keep (`keep: day`: only the fine values go). A renewal, or a replacement
    that keeps the same data, leaves none. Members read; a terminated EDV still does."""
    open_only = query.status == "open"
    duties, next_cursor = paged(
        f"purge-duties:{enterprise_number}:{query.status}",
        query,
        lambda limit, start: purge_duties.page_for_person(
            call.person.sub, enterprise_number, open_only=open_only, limit=limit, start=start
        ),
    )
    return PurgeDutyPage(items=[duty_view(duty) for duty in duties], next_cursor=next_cursor)


@api.operation(
    "POST",
    f"{BASE}/{{duty_id}}/confirm",
    auth=Auth.PERSON,
    summary="Confirm that this EDV deleted what a purge duty names",
    response=PurgeDutyView,
    errors=("not_a_member", "forbidden", "not_found"),
)
def confirm_purge_duty(call: Call, enterprise_number: str, duty_id: str) -> PurgeDutyView:
    """Administrators. The customer sees the confirmation on the mandate. Confirming again
    answers the first confirmation."""
    return duty_view(
        purge_duties.confirm_by_person(call.person.sub, enterprise_number, duty_id, call.now)
    )
