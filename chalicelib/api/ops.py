"""Operators: market scenarios (R8) and running the scheduled jobs now."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import AwareDatetime

from ..domain.vocabulary import Scenario
from ..jobs import run
from ..services import market
from .access_points import GridUserRef
from .models import ApiModel, RequestBody
from .routing import Api, Auth, Call, Reply
from .types import Ean, Instant

api = Api("Operators")


class MarketEventRequest(RequestBody):
    ean: Ean
    scenario: Scenario
    effective_date: date
    new_grid_user: GridUserRef | None = None


class MarketEventView(ApiModel):
    event_id: str
    ean: str
    scenario: Scenario
    effective_date: date
    status: str
    recorded_at: Instant
    applied_at: Instant | None
    replayed: bool
    mandates_truncated: int


class JobRequest(RequestBody):
    as_of: AwareDatetime | None = None


class JobReportView(ApiModel):
    job: str
    as_of: Instant
    duration_ms: float
    counts: dict[str, int]


@api.operation(
    "POST",
    "/v1/ops/market-events",
    auth=Auth.OPERATOR,
    summary="Report a market scenario on an access point",
    body=MarketEventRequest,
    response=MarketEventView,
    status=201,
    errors=("not_found",),
)
def report_market_event(call: Call, body: MarketEventRequest) -> Reply:
    """Applied at once when its effective date has come (even in the past), else when due.
    The same report again changes nothing (200, `replayed`)."""
    result = market.report(
        body.ean,
        body.scenario,
        body.effective_date,
        body.new_grid_user.grid_user() if body.new_grid_user else None,
        call.now,
    )
    event = result.event
    view = MarketEventView(
        event_id=event.event_id,
        ean=event.ean,
        scenario=event.scenario,
        effective_date=event.effective_date,
        status=event.status.value,
        recorded_at=event.recorded_at,
        applied_at=event.applied_at,
        replayed=result.replayed,
        mandates_truncated=result.truncated,
    )
    return Reply(view, status=200 if result.replayed else 201)


@api.operation(
    "POST",
    "/v1/ops/jobs/{job}/run",
    auth=Auth.OPERATOR,
    summary="Run a scheduled job now",
    body=JobRequest,
    body_optional=True,
    response=JobReportView,
    errors=("not_found",),
)
def run_job(call: Call, job: str, body: JobRequest) -> JobReportView:
    """`mandate-expiry`, `market-scenarios` or `publish-pages`, as of `as_of` (default now).
    Idempotent: a second run finds nothing more to do."""
    as_of = body.as_of.astimezone(UTC) if body.as_of else datetime.now(UTC)
    report = run(job, as_of)
    return JobReportView(
        job=report.job, as_of=report.as_of, duration_ms=report.duration_ms, counts=report.counts
    )
