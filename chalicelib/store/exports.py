"""History export jobs: one item per request (its fingerprint), with a sparse index of each
EDV's open jobs for the limits on jobs at once, and beside it, in the same table, the plan of its
run (`{fingerprint}#plan`), written with the job when a run is asked and read when it runs: the
job, saved after every EAN, stays about 1 kB whatever the plan. Every write of a job is
conditional on the version read."""

from __future__ import annotations

from datetime import date

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import table_name
from ..domain.exports import ExportJob, ExportRequest, ExportStatus
from ..domain.vocabulary import Resolution
from . import usage
from .base import (
    ContendedError,
    Key,
    TableMeta,
    is_condition_failure,
    races_contended,
    register,
    take_page,
    transaction,
)


class OpenByEdv(GlobalSecondaryIndex["ExportJobItem"]):
    """Sparse: only queued and running jobs carry `open_edv`, so the limit on jobs at once reads
    the open ones, not the EDV's history of exports."""

    class Meta:
        index_name = "open_by_edv"
        projection = AllProjection()

    open_edv = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ByEdv(GlobalSecondaryIndex["ExportJobItem"]):
    """Every job of an EDV, newest first: keys only, since a job is saved after every EAN and a
    copy of it here would be written as often; a page reads its jobs by key."""

    class Meta:
        index_name = "by_edv"
        projection = KeysOnlyProjection()

    edv = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


@register
class ExportJobItem(Model):
    class Meta(TableMeta):
        table_name = table_name("export_jobs")

    id = UnicodeAttribute(hash_key=True)
    edv = UnicodeAttribute()
    request = JSONAttribute()
    status = UnicodeAttribute()
    eans = NumberAttribute()
    done = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute()
    files = JSONAttribute(default=dict)
    error = UnicodeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    run = NumberAttribute(default=1)
    attempts = NumberAttribute(default=0)
    version = NumberAttribute(default=1)
    open_edv = UnicodeAttribute(null=True)
    open_by_edv = OpenByEdv()
    by_edv = ByEdv()


class ExportPlanItem(Model):
    """A run's plan, in the jobs' table (created with it: not registered as a table of its own);
    it carries no `open_edv`, so the open jobs' index never lists it."""

    class Meta(TableMeta):
        table_name = table_name("export_jobs")

    id = UnicodeAttribute(hash_key=True)  # the job's id and "#plan"
    run = NumberAttribute()
    eans = JSONAttribute()


def _plan_id(job_id: str) -> str:
    return f"{job_id}#plan"


def _request_out(request: ExportRequest) -> dict[str, object]:
    """The request as the job keeps it: EANs it names stay in the plan alone (5,000 of them
    would make every save of the job ~100 kB), so read back they are () and mean "named"."""
    return {
        "eans_named": request.eans is not None,
        "resolution": request.resolution.value if request.resolution else None,
        "channels": list(request.channels),
        "first": request.first.isoformat() if request.first else None,
        "end": request.end.isoformat() if request.end else None,
    }


def _request_in(edv: str, raw: dict[str, object]) -> ExportRequest:
    def day(value: object) -> date | None:
        return date.fromisoformat(str(value)) if value else None

    resolution = raw.get("resolution")
    return ExportRequest(
        edv=edv,
        eans=() if raw.get("eans_named") or raw.get("eans") else None,
        resolution=Resolution(str(resolution)) if resolution else None,
        channels=tuple(str(c) for c in raw.get("channels") or ()),  # type: ignore[attr-defined]
        first=day(raw.get("first")),
        end=day(raw.get("end")),
    )


def _job(item: ExportJobItem) -> ExportJob:
    return ExportJob(
        id=item.id,
        request=_request_in(item.edv, item.request),
        status=ExportStatus(item.status),
        eans=int(item.eans),
        created_at=item.created_at,
        updated_at=item.updated_at,
        requested_by=item.requested_by,
        done=int(item.done),
        files=dict(item.files or {}),
        error=item.error,
        finished_at=item.finished_at,
        run=int(item.run),
        attempts=int(item.attempts or 0),
        version=int(item.version),
    )


def get(job_id: str) -> ExportJob | None:
    try:
        return _job(ExportJobItem.get(job_id, consistent_read=True))
    except DoesNotExist:
        return None


def _item(job: ExportJob) -> ExportJobItem:
    return ExportJobItem(
        job.id,
        edv=job.request.edv,
        request=_request_out(job.request),
        status=job.status.value,
        eans=job.eans,
        done=job.done,
        created_at=job.created_at,
        updated_at=job.updated_at,
        requested_by=job.requested_by,
        files=job.files,
        error=job.error,
        finished_at=job.finished_at,
        run=job.run,
        attempts=job.attempts,
        version=job.version + 1,
        open_edv=job.request.edv if job.is_open else None,
    )


def _unchanged(job: ExportJob) -> Condition:
    if job.version == 0:
        return ExportJobItem.id.does_not_exist()
    return ExportJobItem.version == job.version


def save(job: ExportJob) -> ExportJob:
    """Written only over the version read (0: new); ContendedError if it moved meanwhile."""
    item = _item(job)
    try:
        item.save(condition=_unchanged(job))
    except PutError as error:
        if is_condition_failure(error):
            raise ContendedError() from error
        raise
    return _job(item)


def save_run(job: ExportJob, plan: list[str]) -> ExportJob:
    """A run asked for (a new job, or a finished one again) and its plan, in one transaction,
    over the version read."""
    if len(plan) != job.eans:
        raise ValueError("the plan is not the job's")
    item = _item(job)
    with races_contended(), transaction() as writes:
        writes.save(item, condition=_unchanged(job))
        writes.save(ExportPlanItem(_plan_id(job.id), run=job.run, eans=plan))
    return _job(item)


def plan_of(job: ExportJob) -> tuple[str, ...]:
    """The EANs of the job's run, in the order of its files."""
    item = ExportPlanItem.get(_plan_id(job.id), consistent_read=True)
    if int(item.run) != job.run:
        raise ContendedError()  # the job was asked again meanwhile: its new run has its own
    return tuple(item.eans)


def finish(job: ExportJob, day: date, exported: int) -> ExportJob:
    """The finished job and the EANs it exported counted for the EDV's usage (R13) on `day`,
    in one transaction: a retried run that finds the job finished counts nothing more."""
    item = _item(job)
    with races_contended(), transaction() as writes:
        writes.save(item, condition=_unchanged(job))
        usage.count_exported(writes, job.request.edv, day, exported)
    return _job(item)


def open_of_edv(enterprise_number: str, limit: int) -> list[ExportJob]:
    """The EDV's queued or running jobs (at most `limit` + 1 read: enough to tell the limit)."""
    query = ExportJobItem.open_by_edv.query(
        enterprise_number, scan_index_forward=False, limit=limit + 1
    )
    return [_job(item) for item in query]


def page_of_edv(
    enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[ExportJob], Key | None]:
    """The EDV's jobs, newest first: a page of keys from the index, then those jobs by key."""
    query = ExportJobItem.by_edv.query(
        enterprise_number, scan_index_forward=False, last_evaluated_key=start, page_size=limit + 1
    )
    keys, resume = take_page(query, limit)
    found = {item.id: item for item in ExportJobItem.batch_get([key.id for key in keys])}
    return [_job(found[key.id]) for key in keys if key.id in found], resume
