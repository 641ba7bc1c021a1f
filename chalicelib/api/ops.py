"""Operators: market scenarios (R8), an access point's history, and the scheduled jobs."""

from __future__ import annotations

from datetime import UTC, date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import AwareDatetime, Field

from ..domain.audit import AuditAction
from ..domain.vocabulary import EndReason, Granularity, MandateStatus, MeterChannel, Scenario
from ..jobs import latest_runs, run_by_operator
from ..media_types import CSV, JSON
from ..services import audit, ingest_reports, market
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import Ean, Instant
from .access_points import GridUserRef, RegisteredAccessPoint, registered_view

if TYPE_CHECKING:
    from ..domain.ingest_report import IngestReport

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
    replay_status=200,
    errors=("not_found",),
)
def report_market_event(call: Call, body: MarketEventRequest) -> Reply:
    """Applied at once when its effective date has come (even in the past), else when due.
    The same report again changes nothing (200, `replayed`)."""
    result = market.report_by_operator(
        call.person.sub,
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
    errors=("not_found", "validation_error"),
)
def run_job(call: Call, job: str, body: JobRequest) -> JobReportView:
    """`mandate-expiry`, `market-scenarios` or `publish-pages`, as of `as_of` (default now; never
    ahead of the clock, beyond five minutes of skew). Idempotent: a second run finds nothing
    more to do. Each run is in the audit trail."""
    as_of = body.as_of.astimezone(UTC) if body.as_of else None
    report = run_by_operator(call.person.sub, job, as_of, call.now)
    return JobReportView(
        job=report.job, as_of=report.as_of, duration_ms=report.duration_ms, counts=report.counts
    )


class JobRunView(ApiModel):
    job: str
    started_at: Instant
    as_of: Instant
    duration_ms: float
    outcome: Literal["ok", "failed"]
    counts: dict[str, int]
    error: str | None = Field(description="The kind of failure (an exception class), if any")


class JobRunsQuery(ApiModel):
    job: str | None = Field(None, description="One job; all of them by default")
    limit: int = Field(20, ge=1, le=100, description="Runs per job, newest first")


class JobRunsView(ApiModel):
    items: list[JobRunView]


@api.operation(
    "GET",
    "/v1/ops/job-runs",
    auth=Auth.OPERATOR,
    summary="The latest runs of the scheduled jobs",
    query=JobRunsQuery,
    response=JobRunsView,
    errors=("not_found",),
)
def list_job_runs(call: Call, query: JobRunsQuery) -> JobRunsView:
    """Scheduled and run by hand alike, newest first per job, with what each did."""
    runs = latest_runs(query.job, query.limit)
    return JobRunsView(
        items=[
            JobRunView(
                job=run.job,
                started_at=run.started_at,
                as_of=run.as_of,
                duration_ms=run.duration_ms,
                outcome="failed" if run.failed else "ok",
                counts=run.counts,
                error=run.error,
            )
            for run in runs
        ]
    )


class MandateOnPointView(ApiModel):
    mandate_id: str
    edv: str
    status: MandateStatus
    granularity: Granularity
    period_start: date
    period_end: date = Field(description="Exclusive")
    valid_until: Instant
    end_reason: EndReason | None


class EventOnPointView(ApiModel):
    event_id: str
    scenario: Scenario
    effective_date: date
    status: str
    recorded_at: Instant
    applied_at: Instant | None
    new_grid_user: str | None
    truncated: list[str] = Field(description="The mandates this scenario cut short")


class PointHistoryView(ApiModel):
    access_point: RegisteredAccessPoint
    market_events: list[EventOnPointView]
    mandates: list[MandateOnPointView]


@api.operation(
    "GET",
    "/v1/ops/access-points/{ean}",
    auth=Auth.OPERATOR,
    summary="An access point: its grid users, market events and mandates",
    response=PointHistoryView,
    errors=("not_found",),
)
def get_access_point_history(call: Call, ean: str) -> PointHistoryView:
    """What an operator checks when a customer calls: who was grid user since when, which
    scenarios were reported, and which mandates each cut short."""
    found = market.history(ean)
    return PointHistoryView(
        access_point=registered_view(found.point),
        market_events=[
            EventOnPointView(
                event_id=event.event_id,
                scenario=event.scenario,
                effective_date=event.effective_date,
                status=event.status.value,
                recorded_at=event.recorded_at,
                applied_at=event.applied_at,
                new_grid_user=event.new_grid_user.key if event.new_grid_user else None,
                truncated=[m.id for m in cut],
            )
            for event, cut in found.events
        ],
        mandates=[
            MandateOnPointView(
                mandate_id=m.id,
                edv=m.edv,
                status=m.status,
                granularity=m.granularity,
                period_start=m.period_start,
                period_end=m.period_end,
                valid_until=m.valid_until,
                end_reason=m.end_reason,
            )
            for m in found.mandates
        ],
    )


class ReadingIn(RequestBody):
    start: str = Field(description="ISO 8601 with offset; a Brussels midnight for daily values")
    value: float | None = Field(description="kWh (or m³ for gas); null only when missing")
    status: Literal["validated", "estimated", "missing"]


class ReadingsBatch(RequestBody):
    """One batch; the body may also be a list of them."""

    ean: Ean
    channel: MeterChannel
    resolution: Literal["quarter_hour", "hour", "day"]
    unit: Literal["kWh", "m3"]
    conversion_factor: float | None = Field(None, description="Gas: kWh per m³ this month")
    readings: list[ReadingIn]


class RowErrorView(ApiModel):
    row: int
    field: str
    message: str


class BatchOutcomeView(ApiModel):
    ean: str
    channel: str
    resolution: str
    rows: int
    accepted: int
    rejected: int
    days_written: int
    months_written: int
    error: str | None


class IngestReportView(ApiModel):
    report_id: str
    source: str
    received_at: Instant
    status: Literal["ok", "partial", "failed"]
    rows: int
    accepted: int
    rejected: int
    batches: list[BatchOutcomeView] = Field(
        description="The first 500 batches; the others are counted in batches_not_listed"
    )
    batches_not_listed: int
    errors: list[RowErrorView]
    errors_not_listed: int
    file_error: str | None


IngestReportPage = Page[IngestReportView]


class ReportsQuery(PageQuery):
    day: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="Brussels date received")


def report_view(report: IngestReport) -> IngestReportView:
    return IngestReportView(
        report_id=report.report_id,
        source=report.source,
        received_at=report.received_at,
        status=report.status,
        rows=report.rows,
        accepted=report.accepted,
        rejected=report.rejected,
        batches=[BatchOutcomeView(**vars(batch)) for batch in report.batches],
        batches_not_listed=report.unlisted.batches,
        errors=[RowErrorView(row=e.row, field=e.field, message=e.message) for e in report.errors],
        errors_not_listed=report.errors_not_listed,
        file_error=report.file_error,
    )


@api.operation(
    "POST",
    "/v1/ops/readings",
    auth=Auth.OPERATOR,
    summary="Ingest a batch of readings",
    body_doc=ReadingsBatch,
    request_media_types=(JSON, CSV),
    response=IngestReportView,
    max_body_bytes=6 * 1024 * 1024,
)
def post_readings(call: Call) -> IngestReportView:
    """The same parser as files in the ingest bucket: JSON batches, or a history download in
    any of the portal's layouts (text/csv: Dutch up to 2024, Dutch 2025, English 2025). Good rows
    are stored, bad rows reported by number; when no row could be stored the answer is 422 with
    the report's errors. Sending the same data again changes nothing; newer values replace older
    ones (estimated to validated)."""
    request_id = call.request.context.get("requestId") or call.now.isoformat()
    return report_view(ingest_reports.submit(call.raw_body, request_id, call.now))


@api.operation(
    "GET",
    "/v1/ops/ingest-reports/{report_id}",
    auth=Auth.OPERATOR,
    summary="One ingest report",
    response=IngestReportView,
    errors=("not_found",),
)
def get_ingest_report(call: Call, report_id: str) -> IngestReportView:
    report = ingest_reports.report(report_id)
    return report_view(report)


@api.operation(
    "GET",
    "/v1/ops/ingest-reports",
    auth=Auth.OPERATOR,
    summary="The ingest reports of a day",
    query=ReportsQuery,
    response=IngestReportPage,
    errors=("invalid_cursor",),
)
def list_ingest_reports(call: Call, query: ReportsQuery) -> IngestReportPage:
    """Newest first: batches posted and files dropped in the ingest bucket."""
    reports, next_cursor = paged(
        f"ingest-reports:{query.day}",
        query,
        lambda limit, start: ingest_reports.reports_of_day(query.day, limit, start),
    )
    return IngestReportPage(items=[report_view(r) for r in reports], next_cursor=next_cursor)


class AuditEntryView(ApiModel):
    at: Instant
    actor: str = Field(description="Who did it: the person's subject at the identity provider")
    action: AuditAction
    subject: str = Field(description="What it was done to: an enterprise number, an EAN, a job")
    details: dict[str, Any]


AuditEntryPage = Page[AuditEntryView]


@api.operation(
    "GET",
    "/v1/ops/audit",
    auth=Auth.OPERATOR,
    summary="The audit trail: who changed what, newest first",
    query=PageQuery,
    response=AuditEntryPage,
    errors=("invalid_cursor",),
)
def list_audit(call: Call, query: PageQuery) -> AuditEntryPage:
    """Approvals and rejections, market scenarios and access points registered, tariff
    changes, job runs, and an active EDV's new return URL roots. Append-only."""
    entries, next_cursor = paged("audit", query, lambda limit, start: audit.page(limit, start))
    return AuditEntryPage(
        items=[
            AuditEntryView(
                at=e.at, actor=e.actor, action=e.action, subject=e.subject, details=e.details
            )
            for e in entries
        ],
        next_cursor=next_cursor,
    )
