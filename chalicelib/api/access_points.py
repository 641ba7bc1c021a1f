"""Access points: the operators' registry, a customer's own, and an EDV's "meters of others"."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..domain.vocabulary import Direction, Energy, Granularity, MandateStatus, MeterType, Scenario
from ..services import access_points, mandates, market
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import EnterpriseNumber, Instant, Subject, Text
from .mandates import MandateView, mandate_view
from .purge_duties import PurgeDutyView, duty_view

if TYPE_CHECKING:
    from ..domain.access_points import AccessPoint, GridUser
    from ..services.mandates import MeterOfOther

api = Api("Access points")


class GridUserRef(RequestBody):
    """Exactly one of: a person's `sub`, or an organisation's enterprise number."""

    sub: Subject | None = None
    enterprise_number: EnterpriseNumber | None = None

    @model_validator(mode="after")
    def exactly_one(self) -> GridUserRef:
        if (self.sub is None) == (self.enterprise_number is None):
            raise ValueError("give either sub or enterprise_number")
        return self

    def grid_user(self) -> GridUser:
        from ..domain.access_points import GridUser

        if self.sub is not None:
            return GridUser("person", self.sub)
        assert self.enterprise_number is not None
        return GridUser("org", self.enterprise_number)


class GridUserView(ApiModel):
    kind: Literal["person", "org"]
    id: str

    @staticmethod
    def of(grid_user: GridUser) -> GridUserView:
        return GridUserView(kind="person" if grid_user.kind == "person" else "org", id=grid_user.id)


class Registration(RequestBody):
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: Text
    # Letters, digits and the separators meter numbers use: never a formula or a line break.
    meter_number: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,39}$")
    grid_user: GridUserRef
    grid_user_since: date
    scenario: Scenario | None = Field(
        None,
        description="On a registered EAN, a different grid user comes with the market scenario "
        "that brings them (customer_switch, combined_switch, move_in): carried out as if "
        "reported, cutting mandates short. Without it, 409 grid_user_change_needs_scenario.",
    )


class TenureView(ApiModel):
    grid_user: GridUserView | None
    since: date


class RegisteredAccessPoint(ApiModel):
    ean: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: str
    meter_number: str
    tenures: list[TenureView]


class MyAccessPoint(ApiModel):
    ean: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: str
    meter_number: str
    grid_user_since: date
    grid_user: GridUserView


MyAccessPointPage = Page[MyAccessPoint]


class MeterOfOtherView(ApiModel):
    ean: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    granularity: Granularity
    mandate_id: str
    status: MandateStatus
    valid_until: Instant
    address: str | None = Field(description="Only while the mandate gives access.")
    meter_number: str | None


MeterOfOtherPage = Page[MeterOfOtherView]


class MetersQuery(PageQuery):
    ean: str | None = Field(None, pattern=r"^[0-9]{1,18}$", description="EAN prefix")
    energy: Energy | None = None
    meter_type: MeterType | None = None
    granularity: Granularity | None = None
    status: MandateStatus | None = None


class HoldingView(ApiModel):
    from_: date = Field(alias="from")
    to: date = Field(description="Exclusive")
    granularity: Granularity = Field(
        description="`day`, or the EAN's fine one (quarter-hours, or hours for gas)"
    )


class EdvAccessPointView(ApiModel):
    """The EDV's account of one EAN (domain/account.py): what is in force, what was asked,
    what it may keep and what it must still delete."""

    ean: str
    energy: Energy
    meter_type: MeterType | None
    direction: Direction | None
    address: str | None = Field(description="Only while the mandate in force gives access.")
    meter_number: str | None
    mandate: MandateView | None = Field(
        description="The mandate in force: the active one, or the latest that gave access. "
        "Never a request; null when the EDV only ever asked."
    )
    previous_mandates: list[MandateView] = Field(
        description="Earlier mandates that gave access, newest first"
    )
    requests: list[MandateView] = Field(
        description="Consents asked of the grid user: requested, or rejected (refused, or "
        "declined by the customer), newest first. None of them gives anything."
    )
    may_read: bool = Field(description="The mandate in force gives access now")
    holds: HoldingView | None = Field(
        description="What the EDV may keep now: the consumption period (as scenarios cut it) "
        "at the mandate's granularity; null once the mandate in force stopped."
    )
    purge_duties: list[PurgeDutyView] = Field(
        description="What it held here and must still delete (open duties), oldest first"
    )


def registered_view(point: AccessPoint) -> RegisteredAccessPoint:
    return RegisteredAccessPoint(
        ean=point.ean,
        energy=point.energy,
        meter_type=point.meter_type,
        direction=point.direction,
        address=point.address,
        meter_number=point.meter_number,
        tenures=[
            TenureView(
                grid_user=GridUserView.of(t.grid_user) if t.grid_user else None, since=t.since
            )
            for t in point.tenures
        ],
    )


@api.operation(
    "PUT",
    "/v1/ops/access-points/{ean}",
    auth=Auth.OPERATOR,
    summary="Register or update an access point",
    body=Registration,
    response=RegisteredAccessPoint,
    errors=("conflict", "grid_user_change_needs_scenario"),
)
def register_access_point(call: Call, ean: str, body: Registration) -> Reply:
    """Registers an EAN, or updates its technical data. Its grid user changes only through a
    market scenario: reported, or named here in `scenario`."""
    point, created = market.register_by_operator(
        call.person.sub,
        ean,
        access_points.Registration(
            energy=body.energy,
            meter_type=body.meter_type,
            direction=body.direction,
            address=body.address,
            meter_number=body.meter_number,
            grid_user=body.grid_user.grid_user(),
            grid_user_since=body.grid_user_since,
        ),
        body.scenario,
        call.now,
    )
    return Reply(registered_view(point), status=201 if created else 200)


@api.operation(
    "GET",
    "/v1/me/access-points",
    auth=Auth.PERSON,
    summary="My access points",
    query=PageQuery,
    response=MyAccessPointPage,
    errors=("invalid_cursor",),
)
def list_my_access_points(call: Call, query: PageQuery) -> MyAccessPointPage:
    """EANs where the caller is grid user now, themselves or as administrator of an organisation."""
    page, next_cursor = paged(
        f"my-access-points:{call.person.sub}",
        query,
        lambda limit, start: access_points.page_of_person(call.person.sub, call.now, limit, start),
    )
    return MyAccessPointPage(
        items=[
            MyAccessPoint(
                ean=e.point.ean,
                energy=e.point.energy,
                meter_type=e.point.meter_type,
                direction=e.point.direction,
                address=e.point.address,
                meter_number=e.point.meter_number,
                grid_user_since=e.tenure.since,
                grid_user=GridUserView.of(e.tenure.grid_user),  # type: ignore[arg-type]
            )
            for e in page
        ],
        next_cursor=next_cursor,
    )


def _meter_view(entry: MeterOfOther) -> MeterOfOtherView:
    row, point = entry.row, entry.point
    return MeterOfOtherView(
        ean=row.ean,
        energy=Energy(row.energy),
        meter_type=MeterType(row.meter_type),
        direction=Direction(row.direction),
        granularity=row.granularity,
        mandate_id=row.latest_mandate_id,
        status=entry.status,
        valid_until=row.valid_until,
        address=point.address if point else None,
        meter_number=point.meter_number if point else None,
    )


@api.operation(
    "GET",
    "/v1/organisations/{en}/access-points",
    auth=Auth.PERSON,
    summary="Meters of others: the EANs this EDV has (had) a mandate on",
    query=MetersQuery,
    response=MeterOfOtherPage,
    errors=("not_a_member", "invalid_cursor"),
)
def list_meters_of_others(
    call: Call, enterprise_number: str, query: MetersQuery
) -> MeterOfOtherPage:
    """Filters: `ean` (prefix), `energy`, `meter_type`, `granularity`, `status`. Address and meter
    number only while the mandate gives access."""
    filters = mandates.MetersFilter(
        ean_prefix=query.ean,
        energy=query.energy.value if query.energy else None,
        meter_type=query.meter_type.value if query.meter_type else None,
        granularity=query.granularity.value if query.granularity else None,
        status=query.status.value if query.status else None,
    )
    scope = (
        f"meters:{enterprise_number}:{filters.ean_prefix}:{filters.energy}:{filters.meter_type}:"
        + (f"{filters.granularity}:{filters.status}")
    )
    entries, next_cursor = paged(
        scope,
        query,
        lambda limit, start: mandates.meters_of_others(
            call.person.sub, enterprise_number, filters, call.now, limit, start
        ),
    )
    return MeterOfOtherPage(items=[_meter_view(e) for e in entries], next_cursor=next_cursor)


@api.operation(
    "GET",
    "/v1/organisations/{en}/access-points/{ean}",
    auth=Auth.PERSON,
    summary="An access point of another and this EDV's mandate on it",
    response=EdvAccessPointView,
    errors=("not_a_member", "no_mandate"),
)
def get_meter_of_other(call: Call, enterprise_number: str, ean: str) -> EdvAccessPointView:
    return _meter_of_other(call, enterprise_number, ean)


@api.operation(
    "POST",
    "/v1/organisations/{en}/access-points/{ean}/renewal-request",
    auth=Auth.PERSON,
    summary="Ask the customer to renew this EDV's mandate on the access point",
    response=EdvAccessPointView,
    errors=("not_a_member", "forbidden", "edv_not_active", "no_mandate", "renewal_not_due"),
)
def request_renewal(call: Call, enterprise_number: str, ean: str) -> EdvAccessPointView:
    """Administrators. In the last 90 days of the active mandate's validity: its renewal
    becomes `requested`, the customer sees the request on "Mijn mandaten" and renews in one
    step; the feed and the webhooks say `renewal_requested`. Asking again changes nothing."""
    mandates.request_renewal_of_pair(call.person.sub, enterprise_number, ean, call.now)
    return _meter_of_other(call, enterprise_number, ean)


def _meter_of_other(call: Call, enterprise_number: str, ean: str) -> EdvAccessPointView:
    detail = mandates.access_point_for_edv(call.person.sub, enterprise_number, ean, call.now)
    pair, point, now = detail.account, detail.point, call.now
    holds = pair.holds
    return EdvAccessPointView(
        ean=ean,
        energy=detail.energy,
        meter_type=point.meter_type if point else None,
        direction=point.direction if point else None,
        address=point.address if point else None,
        meter_number=point.meter_number if point else None,
        mandate=mandate_view(pair.in_force, now) if pair.in_force else None,
        previous_mandates=[mandate_view(m, now) for m in pair.earlier],
        requests=[mandate_view(m, now) for m in pair.requests],
        may_read=pair.may_read,
        holds=HoldingView(**{"from": holds.first}, to=holds.end, granularity=holds.granularity)
        if holds
        else None,
        purge_duties=[duty_view(duty) for duty in detail.duties],
    )
