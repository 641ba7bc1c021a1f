"""Local stage only: a stand-in identity provider and KBO register. Never routed in production."""

from __future__ import annotations

from typing import Any, Literal

from chalice.app import Response
from pydantic import Field

from ..domain.vocabulary import Role
from ..services import dev_issuer, kbo
from .models import ApiModel, RequestBody
from .routing import Api, Auth, Call, Reply
from .types import Subject, Text

api = Api("Local development")


class TokenRequest(RequestBody):
    sub: Subject
    name: Text
    roles: list[Literal["ops"]] = Field(default_factory=list)


class TokenResponse(ApiModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int


class KboLinkRequest(RequestBody):
    role: Role
    organisation_name: Text


class KboLink(ApiModel):
    enterprise_number: str
    organisation_name: str
    sub: str
    role: Role
    via: Literal["kbo"] = "kbo"


@api.operation(
    "POST",
    "/v1/dev/token",
    auth=Auth.PUBLIC,
    summary="Log in as anyone (local issuer)",
    body=TokenRequest,
    response=TokenResponse,
)
def issue_dev_token(call: Call, body: TokenRequest) -> TokenResponse:
    """A person token signed by the local issuer, as CSAM would give one in production."""
    token, lifetime = dev_issuer.mint(body.sub, body.name, list(body.roles), call.now)
    return TokenResponse(access_token=token, expires_in=lifetime)


@api.operation(
    "GET",
    "/v1/dev/jwks",
    auth=Auth.PUBLIC,
    summary="The local issuer's public keys",
    response_media_types=("application/json",),
)
def dev_jwks(call: Call) -> Response:
    body: dict[str, Any] = dev_issuer.jwks()
    return Response(body=body, status_code=200, headers={"Content-Type": "application/json"})


@api.operation(
    "PUT",
    "/v1/dev/kbo/{en}/links/{sub}",
    auth=Auth.PUBLIC,
    summary="Link a person to an organisation (stands in for the KBO register)",
    body=KboLinkRequest,
    response=KboLink,
)
def put_kbo_link(call: Call, en: str, sub: str, body: KboLinkRequest) -> Reply:
    """Creates the organisation if it is new; renames it if the register's name changed."""
    result = kbo.link_person(en, sub, body.role, body.organisation_name, call.now)
    view = KboLink(
        enterprise_number=en, organisation_name=result.organisation.name, sub=sub, role=body.role
    )
    return Reply(view, status=201 if result.created else 200)
