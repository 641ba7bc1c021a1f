"""API clients of an EDV on the API channel (R3): create with a secret or a certificate (the
secret and the subscription key are shown once), list, revoke."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from ..domain.vocabulary import AuthMethod, ClientStatus
from ..services import api_clients
from .models import ApiModel, RequestBody
from .onboarding import ADMIN_ERRORS
from .paging import Page, PageQuery, paged
from .routing import Api, Auth, Call, Reply
from .types import Instant, Text

if TYPE_CHECKING:
    from ..domain.api_clients import ApiClient

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
    errors=(*ADMIN_ERRORS, "edv_not_active", "api_not_enabled"),
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
