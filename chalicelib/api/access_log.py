"""The customer's access log (R12): every read, and the same reads grouped into sessions."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from chalice.app import Response
from pydantic import Field

from ..media_types import CSV_UTF8, JSON
from ..render.access_log_csv import sessions_csv
from ..services import access_log
from ..serving.delivery import deliver, wants_csv
from ..serving.models import ApiModel
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call
from ..serving.types import Ean, EnterpriseNumber, Instant

if TYPE_CHECKING:
    from ..domain.access_log import AccessRecord, AccessSession

api = Api("Access log")


class AccessLogQuery(PageQuery):
    ean: Ean | None = None
    organisation: EnterpriseNumber | None = Field(
        None, description="An organisation you administer, instead of yourself."
    )


class AccessLogEntry(ApiModel):
    at: Instant
    ean: str
    edv: str
    mandate_id: str
    what: str
    resolution: str
    range_from: str
    range_to: str
    face: str


AccessLogPage = Page[AccessLogEntry]


class SessionsQuery(AccessLogQuery):
    edv: EnterpriseNumber | None = Field(None, description="Only this EDV's reads.")
    format: Literal["json", "csv"] | None = Field(
        None, description="csv: every session (no paging), as Belgian spreadsheets read it."
    )
    lang: Literal["nl", "fr", "en"] = Field("nl", description="The CSV's column headings.")


class AccessSessionView(ApiModel):
    edv: str
    ean: str
    face: Literal["portal", "api", "export"] = Field(
        description="portal, the machine API, or a history export job"
    )
    what: str = Field(description="volumes, peak_power or energy (the machine API)")
    first_at: Instant
    last_at: Instant
    reads: int = Field(description="How many reads the session holds")
    first_day: date = Field(description="The earliest day read")
    last_day: date = Field(description="The latest day read, inclusive")
    resolutions: list[str]


AccessSessionPage = Page[AccessSessionView]


def _log_entry(record: AccessRecord) -> AccessLogEntry:
    return AccessLogEntry(
        at=record.at,
        ean=record.ean,
        edv=record.edv,
        mandate_id=record.mandate_id,
        what=record.what,
        resolution=record.resolution,
        range_from=record.range_from,
        range_to=record.range_to,
        face=record.face,
    )


def _session_view(session: AccessSession) -> AccessSessionView:
    return AccessSessionView(
        edv=session.edv,
        ean=session.ean,
        face=session.face if session.face in ("api", "export") else "portal",
        what=session.what,
        first_at=session.first_at,
        last_at=session.last_at,
        reads=session.reads,
        first_day=session.first_day,
        last_day=session.last_day,
        resolutions=list(session.resolutions),
    )


@api.operation(
    "GET",
    "/v1/me/access-log",
    auth=Auth.PERSON,
    summary="Who read my data",
    query=AccessLogQuery,
    response=AccessLogPage,
    errors=("forbidden", "invalid_cursor"),
)
def list_access_log(call: Call, query: AccessLogQuery) -> AccessLogPage:
    """Every read of the caller's meter data by an EDV, newest first (R12)."""
    records, next_cursor = paged(
        f"access-log:{call.person.sub}:{query.organisation}:{query.ean}",
        query,
        lambda limit, start: access_log.of_customer(
            call.person.sub, query.organisation, query.ean, limit, start
        ),
    )
    return AccessLogPage(items=[_log_entry(r) for r in records], next_cursor=next_cursor)


@api.operation(
    "GET",
    "/v1/me/access-log/sessions",
    auth=Auth.PERSON,
    summary="Who read my data, grouped into sessions (JSON or CSV)",
    query=SessionsQuery,
    response=AccessSessionPage,
    response_media_types=(JSON, CSV_UTF8),
    errors=("forbidden", "invalid_cursor", "too_many_results"),
)
def list_access_sessions(call: Call, query: SessionsQuery) -> Response | AccessSessionPage:
    """Reads by the same EDV of the same EAN, through the same face, at most 30 minutes apart,
    are one session, newest first. `format=csv` downloads every session."""
    sub, organisation = call.person.sub, query.organisation
    if wants_csv(call.request, query.format):
        every = access_log.all_sessions_of_customer(sub, organisation, query.ean, query.edv)
        name = {"nl": "raadplegingen", "fr": "consultations", "en": "access-log"}[query.lang]
        return deliver(call.request, sessions_csv(every, query.lang), CSV_UTF8, f"{name}.csv")
    found, next_cursor = paged(
        f"access-sessions:{sub}:{organisation}:{query.ean}:{query.edv}",
        query,
        lambda limit, start: access_log.sessions_of_customer(
            sub, organisation, query.ean, query.edv, limit, start
        ),
    )
    return AccessSessionPage(items=[_session_view(s) for s in found], next_cursor=next_cursor)
