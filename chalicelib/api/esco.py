"""The EDV machine API under /esco-live/v3, wire-compatible with the Fluvius ESCO API v3: the same
paths, parameters, casing, enums, `_meta.fetchTime`, `$type` discriminators and error bodies
(`type`, `code`, `message`, `validationErrorMessages`), so that software written against it
works by changing only its base URL and token URL.

This module is the face and its routes; the wire words are in `esco_wire`, the query and body
models in `esco_models`. Callers are API clients with a token from /oauth2/token and their
Ocp-Apim-Subscription-Key. Every answer carries RateLimit-* headers; past the limit, 429 with
Retry-After.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain import consent as consent_rules
from ..domain.account import PurgeDuty
from ..domain.consent import RequestedService
from ..domain.errors import DomainError
from ..domain.exports import CHANNELS, ExportJob, ExportRequest
from ..domain.vocabulary import Resolution
from ..services import consent, exports, machine_api, purge_duties
from ..serving import esco_wire as wire
from ..serving.esco import ESCO
from ..serving.paging import decode_cursor, encode_cursor
from ..serving.routing import Api, Auth, Call
from .esco_models import (
    ConsentRequestResponse,
    CreateClientSessionRequest,
    CreateClientSessionResponse,
    EnergyQuery,
    ExportRequestBody,
    ExportResponse,
    GetEnergyResponse,
    GetMandatesResponse,
    MandatesQuery,
    PurgeDutiesQuery,
    PurgeDutiesResponse,
    PurgeDutyResponse,
    RenewalRequest,
    RenewalRequestResponse,
)

PREFIX = "/esco-live/v3/api"


TAG = "EDV machine API (ESCO v3)"
api = Api(TAG, face=ESCO, operation_prefix="esco_")


# Mandates --------------------------------------------------------------------------------------


@api.operation(
    "GET",
    f"{PREFIX}/mandate",
    auth=Auth.CLIENT,
    summary="Gets the mandates that match the specified filters.",
    query=MandatesQuery,
    response=GetMandatesResponse,
    errors=("too_many_results", "invalid_cursor"),
)
def get_mandates(call: Call, query: MandatesQuery) -> dict[str, Any]:
    """Requested, Approved (active), Rejected and Finished (ended or expired) mandates of the
    caller's EDV; a 404 Mandates.NotFound when none match, as the ESCO API answers. By `ean` a
    key lookup. An EDV with more than 15,000 mandates to look through gets a 400
    Mandates.TooManyToAnswer naming the filters that narrow the request (the reference API has no
    paging, and one answer must stay under Lambda's 6 MB). Our extension `pageSize` (with
    `continuationToken`) answers any EDV in pages instead."""
    filters = mandate_filters(query)
    if query.page_size is not None or query.continuation_token is not None:
        return _mandates_page(call, query, filters)
    found = machine_api.mandates(call.client, filters, call.now) if filters else []
    if not found:
        raise DomainError("no_mandate", "No Mandates were found.")
    return {"mandates": [wire.mandate_view(mandate, call.now) for mandate in found]}


def _mandates_page(
    call: Call, query: MandatesQuery, filters: machine_api.MandateFilters | None
) -> dict[str, Any]:
    """A page of the EDV's mandates, filtered; the token is bound to the EDV and the filters,
    so it cannot be replayed on another list."""
    scope = mandate_pages_scope(call.client.enterprise_number, query)
    start = decode_cursor(scope, query.continuation_token)
    size = query.page_size or DEFAULT_PAGE_SIZE
    found, resume = (
        machine_api.mandates_page(call.client, filters, call.now, size, start)
        if filters
        else ([], None)
    )
    return {
        "mandates": [wire.mandate_view(mandate, call.now) for mandate in found],
        "continuationToken": encode_cursor(scope, resume),
    }


DEFAULT_PAGE_SIZE = 1000
# A token's position names an index read (`mandates_store.legs_of_edv`): when their layout
# changes, so does this, and a token from before is refused (400), not misread.
MANDATE_PAGES = "esco-mandates-2"


def mandate_pages_scope(edv: str, query: MandatesQuery, layout: str = MANDATE_PAGES) -> str:
    """What a continuation token is signed for: the EDV, the filters and the index layout."""
    asked = query.model_dump(mode="json", exclude={"page_size", "continuation_token"})
    # Sets sorted: the same filters give the same scope in every Lambda instance.
    fields = {name: sorted(v) if isinstance(v, list) else v for name, v in asked.items()}
    return f"{layout}:{edv}:{json.dumps(fields, sort_keys=True)}"


def mandate_filters(query: MandatesQuery) -> machine_api.MandateFilters | None:
    """The query's filters in domain terms; None when a renewal status selects nothing we make."""
    state = wire.renewal_of(query.renewal_status) if query.renewal_status else None
    if query.renewal_status and state is None:
        return None
    return machine_api.MandateFilters(
        reference_number=query.reference_number,
        ean=query.ean,
        granularities=wire.granularities_of(query.data_service_types)
        if query.data_service_types
        else None,
        energy=wire.energy_of(query.energy_type) if query.energy_type else None,
        statuses=wire.statuses_of(query.status) if query.status else None,
        expiring_by=query.mandate_expiration_date,
        renewal=state,
        updated_from=query.last_updated_from,
        updated_to=query.last_updated_to,
    )


# Our extensions (not in the ESCO API v3) --------------------------------------------------------

EXTENSIONS = f"{PREFIX}/extensions"


@api.operation(
    "POST",
    f"{EXTENSIONS}/mandate/renewal-request",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): asks the customer to renew a mandate.",
    body=RenewalRequest,
    response=RenewalRequestResponse,
)
def request_renewal(call: Call, body: RenewalRequest) -> dict[str, Any]:
    """In the last 90 days of validity of the caller's active mandate on `ean` (renewalStatus
    `ToBeRenewed`): it becomes `RenewalRequested`, the customer sees the request in the portal
    and renews in one step; a renewed mandate is a new `Approved` one with the same
    referenceNumber and a new mandateExpirationDate. Asking again changes nothing; a 409
    Mandate.RenewalNotDue before the 90 days."""
    mandate = machine_api.request_renewal(call.client, body.ean, call.now)
    return wire.mandate_view(mandate, call.now)


@api.operation(
    "POST",
    f"{EXTENSIONS}/exports",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): exports the history of the caller's mandates.",
    body=ExportRequestBody,
    response=ExportResponse,
)
def request_export(call: Call, body: ExportRequestBody) -> dict[str, Any]:
    """One job instead of thousands of energy calls: every EAN (or those named) as each mandate
    allows it, in one Parquet file, a gzip CSV per energy in the portal's layout and a manifest.
    Poll GET …/extensions/exports/{export_id}, or wait for the webhook event `export_ready`. The
    same request while it runs is the same export; at most 2 at once (429 otherwise)."""
    request = ExportRequest(
        edv=call.client.enterprise_number,
        eans=tuple(body.eans) if body.eans is not None else None,
        resolution=Resolution(body.resolution) if body.resolution else None,
        channels=tuple(dict.fromkeys(body.channels or CHANNELS)),
        first=body.from_,
        end=body.to,
    )
    job = exports.request(request, f"client:{call.client.client_id}", call.now)
    return _export_data(job)


@api.operation(
    "GET",
    f"{EXTENSIONS}/exports/{{export_id}}",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): an export's progress and, when ready, its files.",
    response=ExportResponse,
)
def get_export(call: Call, export_id: str) -> dict[str, Any]:
    return _export_data(exports.of_edv(call.client.enterprise_number, export_id))


def _export_data(job: ExportJob) -> dict[str, Any]:
    links = exports.links(job) if job.files else {}
    return {
        "exportId": job.id,
        "status": job.status.value,
        "run": job.run,
        "eans": job.eans,
        "done": job.done,
        "createdAt": wire.utc(job.created_at),
        "finishedAt": wire.utc(job.finished_at) if job.finished_at else None,
        "error": job.error,
        "files": {
            name: {"bytes": file["bytes"], "sha256": file["sha256"], "url": links[name]}
            for name, file in job.files.items()
        },
        "limits": exports.limits(),
    }


@api.operation(
    "GET",
    f"{EXTENSIONS}/purge-duties",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): what the caller's EDV must delete.",
    query=PurgeDutiesQuery,
    response=PurgeDutiesResponse,
    errors=("invalid_cursor",),
)
def get_purge_duties(call: Call, query: PurgeDutiesQuery) -> dict[str, Any]:
    """Purge duties, oldest first: spans of an EAN's days the EDV held and may no longer keep
    (a mandate ended, expired or was replaced by one that keeps less; a scenario reported late
    cut a period short). `keep: daily`: only the quarter-hours or hours go. Page with
    `pageSize` and `continuationToken`; confirm each once deleted."""
    scope = f"esco-purge-duties:{call.client.enterprise_number}:{query.status}"
    duties, resume = purge_duties.page_for_client(
        call.client,
        open_only=query.status == "open",
        limit=query.page_size,
        start=decode_cursor(scope, query.continuation_token),
    )
    return {
        "purgeDuties": [_duty_data(duty) for duty in duties],
        "continuationToken": encode_cursor(scope, resume),
    }


@api.operation(
    "POST",
    f"{EXTENSIONS}/purge-duties/{{duty_id}}/confirm",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): confirms the caller's EDV deleted that data.",
    response=PurgeDutyResponse,
)
def confirm_purge_duty(call: Call, duty_id: str) -> dict[str, Any]:
    """The customer sees the confirmation on the mandate. Confirming again answers the first
    confirmation; another EDV's duty is 404."""
    return _duty_data(purge_duties.confirm_by_client(call.client, duty_id, call.now))


def _duty_data(duty: PurgeDuty) -> dict[str, Any]:
    return {
        "id": duty.id,
        "ean": duty.ean,
        "mandateId": duty.mandate_id,
        "from": duty.first.isoformat(),
        "to": duty.end.isoformat(),
        "keep": "daily" if duty.keep else None,
        "reason": duty.reason.value,
        "since": wire.utc(duty.since),
        "confirmedAt": wire.utc(duty.confirmed_at) if duty.confirmed_at else None,
    }


@api.operation(
    "GET",
    f"{EXTENSIONS}/consent-requests/{{identifier}}",
    auth=Auth.CLIENT,
    summary="Extension (not in the ESCO API v3): what became of a consent request.",
    response=ConsentRequestResponse,
)
def get_consent_request(call: Call, identifier: str) -> dict[str, Any]:
    """One of the caller's own shortUrlIdentifiers: open, declined as a whole by the customer
    (who then named no EAN, or only those now Rejected under its referenceNumber), or expired.
    Mandates granted through it are found by referenceNumber."""
    session = consent.outcome(call.client, identifier)
    return {
        "shortUrlIdentifier": session.identifier,
        "referenceNumber": session.reference_number,
        "status": consent_rules.outcome(session.declined_at, session.valid_to, call.now),
        "validTo": wire.utc(session.valid_to),
        "declinedAt": wire.utc(session.declined_at) if session.declined_at else None,
    }


# Energy ----------------------------------------------------------------------------------------


@api.operation(
    "GET",
    f"{PREFIX}/mandate/energy",
    auth=Auth.CLIENT,
    summary="Gets the energy that matches the specified filters.",
    query=EnergyQuery,
    response=GetEnergyResponse,
)
def get_energy(call: Call, query: EnergyQuery) -> dict[str, Any]:
    """`periodType=readTime` selects by when the energy was measured, `insertTime` by when values
    were stored here, so an EDV can fetch only what is new or corrected since its last call.
    Only what the mandate allows: its granularity and consumption period; reads are logged."""
    answer = machine_api.energy(call.client, query.ean, energy_asked(query), call.now)
    return wire.energy_view(answer)


def energy_asked(query: EnergyQuery) -> machine_api.EnergyAsk:
    return machine_api.EnergyAsk(
        period_type=machine_api.PeriodType(query.period_type),
        series=frozenset(machine_api.Series(name) for name in query.granularity)
        if query.granularity
        else None,
        window_from=query.from_,
        window_to=query.to,
        reference_number=query.reference_number,
        active=query.complex_energy_types is None or "active" in query.complex_energy_types,
    )


# EDV-initiated consent -------------------------------------------------------------------------


@api.operation(
    "POST",
    f"{PREFIX}/shortUrlIdentifier",
    auth=Auth.CLIENT,
    summary="Creates a new client session.",
    body=CreateClientSessionRequest,
    response=CreateClientSessionResponse,
)
def create_client_session(call: Call, body: CreateClientSessionRequest) -> dict[str, Any]:
    """An identifier for the consent page, valid 24 hours: opened with it, the page shows the
    requested data services and periods and sends the customer back to returnUrlSuccess or
    returnUrlFailed. The mandates it produces carry `referenceNumber`."""
    identifier, valid_to = consent.create(
        call.client,
        contract_number=body.data_access_contract_number,
        reference_number=body.reference_number,
        flow=body.flow,
        services=requested_services(body),
        number_of_eans=body.number_of_eans,
        return_url_success=body.return_url_success,
        return_url_failed=body.return_url_failed,
        sso=body.sso,
        enterprise_number=body.enterprise_number,
        now=call.now,
    )
    return {"status": "success", "shortUrlIdentifier": identifier, "validTo": wire.utc(valid_to)}


def requested_services(body: CreateClientSessionRequest) -> list[RequestedService]:
    return [
        RequestedService(
            wire.granularity_of(service.data_service_type),
            wire.date_of(service.data_period_from),
            wire.date_of(service.data_period_to),
        )
        for service in body.data_services or []
        if service.data_service_type in ("VH_dag", "VH_kwartier_uur")
    ]
