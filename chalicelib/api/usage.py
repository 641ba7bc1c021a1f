"""Tariffs and monthly usage (R13). Money leaves as decimal strings ("12.34"), never as floats."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from chalice.app import Response
from pydantic import Field

from ..domain.tariffs import TariffEntry, TariffTable, Usage
from ..domain.vocabulary import Granularity
from ..media_types import CSV_UTF8, JSON
from ..render.usage_csv import usage_csv
from ..services import usage
from ..serving.delivery import deliver, wants_csv
from ..serving.models import ApiModel, RequestBody
from ..serving.routing import Api, Auth, Call

api = Api("Tariffs and usage")
Month = Field(
    pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2025-03"], description="A Brussels month"
)
Amount = Field(description="EUR, as a decimal string (at most 6 decimals)", examples=["0.0125"])


class PerEanDay(ApiModel):
    day: Decimal = Amount
    hour: Decimal = Amount
    quarter_hour: Decimal = Amount


class TariffEntryIn(RequestBody):
    valid_from: date
    valid_to: date | None = Field(None, description="Exclusive; null: open-ended")
    per_ean_day: PerEanDay = Field(description="Per EAN per day of mandate, by granularity")
    yearly_fee: Decimal = Field(
        Decimal("0"), description="EUR per EDV per year, pro rata per active day"
    )
    per_exported_ean: Decimal = Field(
        Decimal("0"), description="EUR per EAN a history export served; 0: exports are free"
    )
    decision: str = Field(min_length=1, max_length=200, description="The regulator's approval")


class TariffTableIn(RequestBody):
    based_on_revision: int = Field(ge=0, description="The revision this change starts from")
    entries: list[TariffEntryIn] = Field(max_length=200)


class TariffEntryView(ApiModel):
    valid_from: date
    valid_to: date | None
    per_ean_day: PerEanDay
    yearly_fee: Decimal
    per_exported_ean: Decimal
    decision: str


class TariffTableView(ApiModel):
    revision: int
    changed_at: datetime | None
    changed_by: str | None
    currency: Literal["EUR"] = "EUR"
    entries: list[TariffEntryView]


class TariffRevisionsView(ApiModel):
    items: list[TariffTableView]


class TariffQuery(ApiModel):
    revision: int | None = Field(None, ge=1, description="An earlier revision; default: in force")


class UsageQuery(ApiModel):
    month: str = Month
    format: Literal["json", "csv"] | None = None


class UsageLineView(ApiModel):
    kind: Literal["mandate_days", "yearly_fee", "exported_eans"]
    granularity: Granularity | None
    from_: date = Field(alias="from")
    to: date = Field(description="Exclusive")
    quantity: int = Field(
        description="Mandate-days, the EDV's active days for the fee, or EANs exported"
    )
    rate: Decimal
    amount: Decimal
    decision: str


class UsageView(ApiModel):
    edv: str
    month: str
    currency: Literal["EUR"] = "EUR"
    mandate_days: dict[str, int]
    exported_eans: int = Field(description="EANs served by history exports finished this month")
    lines: list[UsageLineView]
    total: Decimal
    days_without_tariff: int
    tariff_revision: int


class UsagePage(ApiModel):
    month: str
    items: list[UsageView]
    total: Decimal


def _table_view(table: TariffTable) -> TariffTableView:
    return TariffTableView(
        revision=table.revision,
        changed_at=table.changed_at,
        changed_by=table.changed_by,
        entries=[
            TariffEntryView(
                valid_from=e.valid_from,
                valid_to=e.valid_to,
                per_ean_day=PerEanDay(**{g.value: a for g, a in e.per_ean_day.items()}),
                yearly_fee=e.yearly_fee,
                per_exported_ean=e.per_exported_ean,
                decision=e.decision,
            )
            for e in table.entries
        ],
    )


def _usage_view(result: Usage, revision: int) -> UsageView:
    return UsageView(
        edv=result.edv,
        month=result.month,
        mandate_days={g.value: days for g, days in result.mandate_days.items()},
        exported_eans=result.exported_eans,
        lines=[
            UsageLineView(
                kind=line.kind,
                granularity=line.granularity,
                **{"from": line.valid_from},
                to=line.valid_to,
                quantity=line.quantity,
                rate=line.rate,
                amount=line.amount,
                decision=line.decision,
            )
            for line in result.lines
        ],
        total=result.total,
        days_without_tariff=result.days_without_tariff,
        tariff_revision=revision,
    )


def _answer(
    call: Call, results: list[Usage], view: ApiModel, format_: str | None, name: str
) -> Response | ApiModel:
    """The CSV download, or the view, which the serve path renders as JSON."""
    if wants_csv(call.request, format_):
        return deliver(call.request, usage_csv(results), CSV_UTF8, name)
    return view


@api.operation(
    "GET",
    "/v1/ops/tariffs",
    auth=Auth.OPERATOR,
    summary="The tariff table in force, or an earlier revision",
    query=TariffQuery,
    response=TariffTableView,
    errors=("not_found",),
)
def get_tariffs(call: Call, query: TariffQuery) -> TariffTableView:
    return _table_view(usage.tariff_table(query.revision))


@api.operation(
    "GET",
    "/v1/ops/tariffs/revisions",
    auth=Auth.OPERATOR,
    summary="Every revision of the tariff table, newest first",
    response=TariffRevisionsView,
)
def list_tariff_revisions(call: Call) -> TariffRevisionsView:
    return TariffRevisionsView(items=[_table_view(t) for t in usage.tariff_history()])


@api.operation(
    "PUT",
    "/v1/ops/tariffs",
    auth=Auth.OPERATOR,
    summary="Change the tariff table (a new revision; the history stays)",
    body=TariffTableIn,
    response=TariffTableView,
    errors=("conflict", "validation_error"),
)
def put_tariffs(call: Call, body: TariffTableIn) -> TariffTableView:
    """The whole table, as it should be from now on, based on the revision that was read (409
    when someone changed it since). Entries may not overlap; amounts are EUR decimal strings."""
    entries = [
        TariffEntry(
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            per_ean_day={Granularity(g): a for g, a in e.per_ean_day.model_dump().items()},
            yearly_fee=e.yearly_fee,
            per_exported_ean=e.per_exported_ean,
            decision=e.decision,
        )
        for e in body.entries
    ]
    table = usage.change_tariffs(entries, body.based_on_revision, call.person.sub, call.now)
    return _table_view(table)


@api.operation(
    "GET",
    "/v1/organisations/{en}/usage",
    auth=Auth.PERSON,
    summary="The month's mandate-days, tariff lines and amount (JSON or CSV)",
    query=UsageQuery,
    response=UsageView,
    response_media_types=(JSON, CSV_UTF8),
    errors=("forbidden", "not_a_member", "not_found", "validation_error"),
)
def get_usage(call: Call, enterprise_number: str, query: UsageQuery) -> Response | ApiModel:
    """For the organisation's administrators. A mandate counts on the Brussels dates from its
    grant up to the day it stopped giving access (that day excluded, at least one day)."""
    result = usage.for_administrator(call.person.sub, enterprise_number, query.month)
    revision = usage.tariff_table().revision
    view = _usage_view(result, revision)
    return _answer(
        call, [result], view, query.format, f"gebruik-{enterprise_number}-{query.month}.csv"
    )


@api.operation(
    "GET",
    "/v1/ops/usage",
    auth=Auth.OPERATOR,
    summary="Every EDV's usage of the month (JSON or CSV)",
    query=UsageQuery,
    response=UsagePage,
    response_media_types=(JSON, CSV_UTF8),
    errors=("validation_error",),
)
def get_all_usage(call: Call, query: UsageQuery) -> Response | ApiModel:
    results = usage.every_edv(query.month)
    revision = usage.tariff_table().revision
    page = UsagePage(
        month=query.month,
        items=[_usage_view(r, revision) for r in results],
        total=sum((r.total for r in results), Decimal("0.00")),
    )
    return _answer(call, results, page, query.format, f"gebruik-{query.month}.csv")
