"""The machine API's sandbox under /esco-sbx/v3, as the Fluvius ESCO API has one: the live face's
operations, the same tokens and subscription keys, plus `POST /api/mandate/mock`. An API EDV
makes mock mandates for itself and reads generated data for them (services/sandbox.py); it sees
no live data and no other EDV's mocks, and nothing it does reaches customers."""

from __future__ import annotations

from typing import Any

from ..domain.consent import valid_to as session_valid_to
from ..domain.errors import DomainError, FieldError
from ..domain.sandbox import MockAsk
from ..domain.vocabulary import Granularity, MandateStatus
from ..services import consent, sandbox
from ..serving import esco_wire as wire
from ..serving.esco import ESCO, parse_instant
from ..serving.routing import Api, Auth, Call
from .esco import energy_asked, mandate_filters
from .esco_models import (
    CreateClientSessionRequest,
    CreateClientSessionResponse,
    CreateMockMandateRequest,
    CreateMockMandateResponse,
    EnergyQuery,
    GetEnergyResponse,
    GetMandatesResponse,
    MandatesQuery,
)

SANDBOX_PREFIX = "/esco-sbx/v3/api"
MOCK_STATUSES = {
    "Requested": MandateStatus.REQUESTED,
    "Approved": MandateStatus.ACTIVE,
    "Rejected": MandateStatus.REJECTED,
    "Finished": MandateStatus.ENDED,
}
api = Api("EDV machine API sandbox (ESCO v3)", face=ESCO, operation_prefix="esco_sandbox_")


@api.operation(
    "POST",
    f"{SANDBOX_PREFIX}/mandate/mock",
    auth=Auth.CLIENT,
    summary="Creates a mock mandate in the sandbox.",
    body=CreateMockMandateRequest,
    response=CreateMockMandateResponse,
)
def create_mock_mandate(call: Call, body: CreateMockMandateRequest) -> dict[str, Any]:
    """A mandate of the caller's EDV that exists only in the sandbox, with the status, data
    period, expiry and renewal status asked for; its EAN's data is generated."""
    expires = _instant("mandateExpirationDate", body.mandate_expiration_date)
    asked = MockAsk(
        reference_number=body.reference_number,
        ean=body.ean,
        fine=wire.granularity_of(body.data_service_type) is not Granularity.DAY,
        status=MOCK_STATUSES[body.status],
        period_from=wire.date_of(body.data_period_from),
        period_to=wire.date_of(body.data_period_to),
        expires_at=expires,
        renewal=wire.renewal_of(body.renewal_status) if body.renewal_status else None,
    )
    sandbox.create_mock(call.client.enterprise_number, asked, call.now)
    return {"status": "success"}


def _instant(name: str, text: str | None) -> Any:
    if not text:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        message = f"Property '{name}' must be an ISO 8601 date or instant."
        raise DomainError(
            "validation_error", message, errors=[FieldError(name, message)]
        ) from error


@api.operation(
    "GET",
    f"{SANDBOX_PREFIX}/mandate",
    auth=Auth.CLIENT,
    summary="Gets the mock mandates that match the specified filters.",
    query=MandatesQuery,
    response=GetMandatesResponse,
)
def get_mandates(call: Call, query: MandatesQuery) -> dict[str, Any]:
    """As the live operation, over the caller's mock mandates."""
    filters = mandate_filters(query)
    found = sandbox.mandates(call.client, filters, call.now) if filters else []
    if not found:
        raise DomainError("no_mandate", "No Mandates were found.")
    return {"mandates": [wire.mandate_view(mandate, call.now) for mandate in found]}


@api.operation(
    "GET",
    f"{SANDBOX_PREFIX}/mandate/energy",
    auth=Auth.CLIENT,
    summary="Gets the generated energy of a mock mandate.",
    query=EnergyQuery,
    response=GetEnergyResponse,
)
def get_energy(call: Call, query: EnergyQuery) -> dict[str, Any]:
    """As the live operation: readTime and insertTime, daily and quarter-hourly (hourly for gas)
    values of an Approved mock mandate, within its data period."""
    answer = sandbox.energy(call.client, query.ean, energy_asked(query), call.now)
    return wire.energy_view(answer)


@api.operation(
    "POST",
    f"{SANDBOX_PREFIX}/shortUrlIdentifier",
    auth=Auth.CLIENT,
    summary="Creates a client session (sandbox: checked, not opened to customers).",
    body=CreateClientSessionRequest,
    response=CreateClientSessionResponse,
)
def create_client_session(call: Call, body: CreateClientSessionRequest) -> dict[str, Any]:
    """Checked as live (the contract number, the return URLs under the EDV's roots); the
    identifier it returns opens no consent page."""
    consent.check(
        call.client,
        body.data_access_contract_number,
        body.return_url_success,
        body.return_url_failed,
    )
    valid_to = session_valid_to(call.now)
    return {
        "status": "success",
        "shortUrlIdentifier": sandbox.new_session_identifier(),
        "validTo": wire.utc(valid_to),
    }
