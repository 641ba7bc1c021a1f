"""History exports as the API sees them: asking for one (portal or machine API), its status,
links to its files. The job itself is `export_job`, run by the export function (pyarrow is in its
bundle, not the API's)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .. import invoke
from ..domain import exports as rules
from ..domain.errors import DomainError
from ..domain.exports import ExportJob, ExportRequest
from ..domain.identifiers import is_shaped
from ..store import exports as exports_store
from ..store import onboarding as onboarding_store
from ..store import projections as projections_store
from . import downloads
from .contention import retrying

if TYPE_CHECKING:
    from ..store.base import Key

LINK_SECONDS = 3600
RETRY_EXPORT_SECONDS = 30  # an export takes a while: no sense asking again sooner


def limits() -> dict[str, int]:
    """What every answer publishes, so an EDV can plan its requests."""
    return {"jobs_at_once": rules.MAX_RUNNING_PER_EDV, "eans_per_job": rules.MAX_EANS}


def request(export: ExportRequest, by: str, now: datetime) -> ExportJob:
    """A job for this request, or the one already queued or running for the same thing. The
    caller is a member of the EDV or its machine client (checked by the API)."""
    onboarding_store.active_application(export.edv)
    rules.check_request(export)

    def attempt() -> ExportJob:
        existing = exports_store.get(export.fingerprint())
        if existing is not None and existing.stalled(now):
            return exports_store.save(rules.restarted(existing, now))
        if existing is not None and existing.is_open:
            return existing
        running = exports_store.open_of_edv(export.edv, rules.MAX_RUNNING_PER_EDV)
        if len(running) >= rules.MAX_RUNNING_PER_EDV:
            raise DomainError(
                "too_many_exports",
                f"At most {rules.MAX_RUNNING_PER_EDV} exports at once; wait for one to finish.",
                extra={"limits": limits()},
                headers={"Retry-After": str(RETRY_EXPORT_SECONDS)},
            )
        plan = _plan(export)
        job = (
            rules.again(existing, export, plan, by, now)
            if existing
            else rules.new_job(export, plan, by, now)
        )
        return exports_store.save_run(job, plan)

    job = retrying(attempt)
    if job.attempts == 0:  # new, or restarted: not yet picked up by a run
        invoke.start("export", {"job": job.id})
    return exports_store.get(job.id) or job


def _plan(export: ExportRequest) -> list[str]:
    if export.eans is not None:
        return sorted(set(export.eans))
    return sorted({ean for ean, _ in projections_store.active_of_edv(export.edv)})


def of_edv(enterprise_number: str, job_id: str) -> ExportJob:
    job = exports_store.get(job_id) if is_shaped("export", job_id) else None
    if job is None or job.request.edv != enterprise_number:
        raise DomainError("not_found", "There is no such export.")
    return job


def history(
    enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[ExportJob], Key | None]:
    """The EDV's exports, newest first (a page)."""
    return exports_store.page_of_edv(enterprise_number, limit, start)


def links(job: ExportJob) -> dict[str, str]:
    """Presigned links to the files of a finished job, valid an hour."""
    return {name: downloads.url(str(file["key"]), LINK_SECONDS) for name, file in job.files.items()}
