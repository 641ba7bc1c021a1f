"""History exports (an extension beyond every national platform): the history of some or all of
an EDV's mandates in one job, as Parquet, the portal's gzip CSV and a manifest."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from ..domain.exports import MAX_EANS, ExportJob, ExportRequest
from ..domain.vocabulary import MeterChannel, Resolution
from ..services import directory, exports
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import Ean, Instant

api = Api("History exports")
BASE = "/v1/organisations/{en}/exports"


BOTH = list(MeterChannel)


class ExportBody(RequestBody):
    eans: list[Ean] | None = Field(
        None, min_length=1, max_length=MAX_EANS, description="Omitted: every mandate in force."
    )
    resolution: Literal["quarter_hour", "hour", "day"] | None = Field(
        None, description="Omitted: the finest each mandate allows."
    )
    channels: list[MeterChannel] = Field(
        default_factory=lambda: list(BOTH), min_length=1, max_length=2
    )
    from_: date | None = Field(None, alias="from", description="Omitted: all each mandate allows.")
    to: date | None = Field(None, description="Exclusive; omitted: up to today.")

    def request(self, enterprise_number: str) -> ExportRequest:
        return ExportRequest(
            edv=enterprise_number,
            eans=tuple(self.eans) if self.eans is not None else None,
            resolution=Resolution(self.resolution) if self.resolution else None,
            channels=tuple(dict.fromkeys(self.channels)),
            first=self.from_,
            end=self.to,
        )


class ExportLimits(ApiModel):
    jobs_at_once: int
    eans_per_job: int


class ExportFile(ApiModel):
    bytes: int
    sha256: str
    url: str = Field(description="Presigned, valid an hour; ask the status again for a new one.")


class ExportView(ApiModel):
    id: str = Field(description="The same request while it runs is the same export.")
    status: Literal["queued", "running", "ready", "failed"]
    resolution: Literal["quarter_hour", "hour", "day"] | None = Field(
        description="As asked; null: the finest each mandate allows"
    )
    channels: list[MeterChannel]
    from_: date | None = Field(alias="from", description="As asked; null: all each allows")
    to: date | None = Field(description="As asked, exclusive; null: up to the day it ran")
    run: int
    eans: int
    done: int
    created_at: Instant
    finished_at: Instant | None
    error: str | None
    files: dict[str, ExportFile] = Field(
        description="When ready and until files_until: history.parquet, "
        "history-<energy>.csv.gz, manifest.json; after that none (ask the same export again)."
    )
    files_until: Instant | None
    limits: ExportLimits


def export_view(job: ExportJob, now: datetime) -> ExportView:
    until = job.files_until()
    kept = until is not None and now < until
    links = exports.links(job) if kept else {}
    request = job.request
    return ExportView(
        id=job.id,
        status=job.status.value,
        resolution=request.resolution.value if request.resolution else None,
        channels=[MeterChannel(channel) for channel in request.channels],
        **{"from": request.first},
        to=request.end,
        run=job.run,
        eans=job.eans,
        done=job.done,
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=job.error,
        files={
            name: ExportFile(bytes=int(file["bytes"]), sha256=str(file["sha256"]), url=links[name])
            for name, file in job.files.items()
            if kept
        },
        files_until=until,
        limits=ExportLimits(**exports.limits()),
    )


@api.operation(
    "POST",
    BASE,
    auth=Auth.PERSON,
    summary="Export the history of some or all of this EDV's mandates",
    body=ExportBody,
    response=ExportView,
    status=202,
    errors=("not_a_member", "edv_not_active", "too_many_exports", "too_many_results"),
)
def request_export(call: Call, enterprise_number: str, body: ExportBody) -> Any:
    """A job reads what each mandate gives (its granularity and period), logs every read for the
    customer, and writes one Parquet file, a gzip CSV per energy in the portal's layout and a
    manifest (EANs, ranges served, row counts, checksums). The same request while it runs is the
    same job; the webhook event `export_ready` says when it is done."""
    directory.member_of(call.person.sub, enterprise_number)
    job = exports.request(body.request(enterprise_number), call.person.sub, call.now)
    return Reply(export_view(job, call.now), status=202)


ExportPage = Page[ExportView]


@api.operation(
    "GET",
    BASE,
    auth=Auth.PERSON,
    summary="This EDV's exports, newest first",
    query=PageQuery,
    response=ExportPage,
    errors=("not_a_member", "invalid_cursor"),
)
def list_exports(call: Call, enterprise_number: str, query: PageQuery) -> ExportPage:
    """What was exported, when and by whom it was asked, and, while the files are kept, links to
    them: the export history screen, and EDV software that lost an export's id."""
    directory.member_of(call.person.sub, enterprise_number)
    jobs, next_cursor = paged(
        f"exports:{enterprise_number}",
        query,
        lambda limit, start: exports.history(enterprise_number, limit, start),
    )
    return ExportPage(items=[export_view(job, call.now) for job in jobs], next_cursor=next_cursor)


@api.operation(
    "GET",
    f"{BASE}/{{export_id}}",
    auth=Auth.PERSON,
    summary="An export's progress and, when ready, its files",
    response=ExportView,
    errors=("not_a_member", "not_found"),
)
def get_export(call: Call, enterprise_number: str, export_id: str) -> ExportView:
    directory.member_of(call.person.sub, enterprise_number)
    return export_view(exports.of_edv(enterprise_number, export_id), call.now)
