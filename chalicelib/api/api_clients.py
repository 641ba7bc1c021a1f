"""API clients of an EDV on the API channel (R3): create with a secret or a certificate (the
secret and the subscription key are shown once), list, revoke; and its sandbox's mock mandates,
as the portal shows them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..domain.sandbox import meter_of
from ..domain.vocabulary import (
    AuthMethod,
    ClientStatus,
    Energy,
    Granularity,
    MandateStatus,
    MeterType,
)
from ..services import api_clients, sandbox
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import Ean, Instant, Text
from .onboarding import ADMIN_ERRORS

if TYPE_CHECKING:
    from ..domain.api_clients import ApiClient
    from ..domain.mandates import Mandate

api = Api("Becoming an EDV")


class ApiClientRequest(RequestBody):
    name: Text
    certificate_pem: str | None = Field(
        None,
        max_length=20000,
        description="An X.509 certificate (PEM, RSA key) for private_key_jwt instead of a secret.",
    )


class ApiClientView(ApiModel):
    client_id: str
    name: str
    auth_method: AuthMethod
    status: ClientStatus
    created_at: Instant
    revoked_at: Instant | None
    certificate_thumbprint: str | None = Field(
        description="x5t: base64url SHA-1 of the certificate"
    )
    certificate_not_after: Instant | None


class ApiClientCreated(ApiClientView):
    client_secret: str | None = Field(description="Shown once; only its hash is kept.")
    subscription_key: str = Field(description="Ocp-Apim-Subscription-Key; shown once.")


ApiClientPage = Page[ApiClientView]


def client_view(client: ApiClient) -> ApiClientView:
    certificate = client.certificate
    return ApiClientView(
        client_id=client.client_id,
        name=client.name,
        auth_method=client.auth_method,
        status=client.status,
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        certificate_thumbprint=certificate.thumbprint if certificate else None,
        certificate_not_after=certificate.not_after if certificate else None,
    )


CLIENTS = "/v1/organisations/{en}/api-clients"


@api.operation(
    "POST",
    CLIENTS,
    auth=Auth.PERSON,
    summary="Create an API client",
    body=ApiClientRequest,
    response=ApiClientCreated,
    status=201,
    errors=(*ADMIN_ERRORS, "edv_not_active", "api_not_enabled", "quota_exceeded"),
)
def create_api_client(
    call: Call, enterprise_number: str, body: ApiClientRequest
) -> ApiClientCreated:
    """The secret (or the certificate's thumbprint) and the subscription key are shown once."""
    created = api_clients.create(
        call.person.sub, enterprise_number, body.name, body.certificate_pem, call.now
    )
    return ApiClientCreated(
        **client_view(created.client).model_dump(),
        client_secret=created.client_secret,
        subscription_key=created.subscription_key,
    )


@api.operation(
    "GET",
    CLIENTS,
    auth=Auth.PERSON,
    summary="List the API clients",
    query=PageQuery,
    response=ApiClientPage,
    errors=(*ADMIN_ERRORS, "invalid_cursor"),
)
def list_api_clients(call: Call, enterprise_number: str, query: PageQuery) -> ApiClientPage:
    clients, next_cursor = paged(
        f"api-clients:{enterprise_number}",
        query,
        lambda limit, start: api_clients.list_clients(
            call.person.sub, enterprise_number, limit, start
        ),
    )
    return ApiClientPage(items=[client_view(c) for c in clients], next_cursor=next_cursor)


@api.operation(
    "DELETE",
    f"{CLIENTS}/{{client_id}}",
    auth=Auth.PERSON,
    summary="Revoke an API client",
    status=204,
    errors=(*ADMIN_ERRORS, "not_found"),
)
def revoke_api_client(call: Call, enterprise_number: str, client_id: str) -> Reply | None:
    api_clients.revoke(call.person.sub, enterprise_number, client_id, call.now)
    return None


class SandboxMandateRequest(RequestBody):
    ean: Ean = Field(
        description="Any valid EAN: its second-to-last digit odd gives gas, its third-to-last "
        "5 or more an AMR meter"
    )
    granularity: Literal["day", "detailed"] = Field(
        "detailed", description="detailed: quarter-hours for electricity, hours for gas"
    )
    reference_number: str = Field("portaal", min_length=1, max_length=100)


class SandboxMandateView(ApiModel):
    mandate_id: str
    ean: str
    energy: Energy
    meter_type: MeterType
    granularity: Granularity
    reference_number: str | None
    status: MandateStatus
    period_start: date
    period_end: date = Field(description="Exclusive")
    valid_until: Instant


class SandboxMandates(ApiModel):
    items: list[SandboxMandateView]


def sandbox_view(mandate: Mandate) -> SandboxMandateView:
    _, meter_type = meter_of(mandate.ean)
    return SandboxMandateView(
        mandate_id=mandate.id,
        ean=mandate.ean,
        energy=mandate.energy,
        meter_type=meter_type,
        granularity=mandate.granularity,
        reference_number=mandate.reference_number,
        status=mandate.status,
        period_start=mandate.period_start,
        period_end=mandate.period_end,
        valid_until=mandate.valid_until,
    )


SANDBOX = "/v1/organisations/{en}/sandbox/mandates"


@api.operation(
    "GET",
    SANDBOX,
    auth=Auth.PERSON,
    summary="The sandbox's mock mandates, newest first",
    response=SandboxMandates,
    errors=(*ADMIN_ERRORS, "edv_not_active", "api_not_enabled"),
)
def list_sandbox_mandates(call: Call, enterprise_number: str) -> SandboxMandates:
    """The same mock mandates the EDV's software sees at /esco-sbx/v3/api/mandate."""
    found = sandbox.of_organisation(call.person.sub, enterprise_number)
    return SandboxMandates(items=[sandbox_view(m) for m in found])


@api.operation(
    "POST",
    SANDBOX,
    auth=Auth.PERSON,
    summary="Create a mock mandate in the sandbox",
    body=SandboxMandateRequest,
    response=SandboxMandateView,
    status=201,
    errors=(*ADMIN_ERRORS, "edv_not_active", "api_not_enabled", "quota_exceeded"),
)
def create_sandbox_mandate(
    call: Call, enterprise_number: str, body: SandboxMandateRequest
) -> SandboxMandateView:
    """Active, with three years of generated data back and ahead; for mandates in other states,
    expiries or renewal statuses, use POST /esco-sbx/v3/api/mandate/mock."""
    created = sandbox.create_in_portal(
        call.person.sub,
        enterprise_number,
        body.ean,
        Granularity.DAY if body.granularity == "day" else Granularity.QUARTER_HOUR,
        body.reference_number,
        call.now,
    )
    return sandbox_view(created)
