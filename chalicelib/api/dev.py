"""Local stage only: a stand-in identity provider and KBO register. Never routed in production."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qs

from chalice.app import Response
from pydantic import Field

from ..domain.errors import DomainError
from ..domain.vocabulary import Role
from ..media_types import FORM, HTML_UTF8, JSON
from ..render import login_page
from ..services import dev_issuer, kbo
from ..serving.models import ApiModel, RequestBody
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import Subject, Text

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
    response_media_types=(JSON,),
)
def dev_jwks(call: Call) -> Response:
    body: dict[str, Any] = dev_issuer.jwks()
    return Response(body=body, status_code=200, headers={"Content-Type": JSON})


@api.operation(
    "PUT",
    "/v1/dev/kbo/{en}/links/{sub}",
    auth=Auth.PUBLIC,
    summary="Link a person to an organisation (stands in for the KBO register)",
    body=KboLinkRequest,
    response=KboLink,
)
def put_kbo_link(call: Call, enterprise_number: str, sub: str, body: KboLinkRequest) -> Reply:
    """Creates the organisation if it is new; renames it if the register's name changed."""
    result = kbo.link_person(enterprise_number, sub, body.role, body.organisation_name, call.now)
    view = KboLink(
        enterprise_number=enterprise_number,
        organisation_name=result.organisation.name,
        sub=sub,
        role=body.role,
    )
    return Reply(view, status=201 if result.created else 200)


# Log in through the portal's pages: the authorization code flow with PKCE, as with CSAM.


def _form(call: Call) -> dict[str, str]:
    try:
        text = call.raw_body.decode()
    except UnicodeDecodeError as error:
        raise DomainError("bad_request", "The form is not UTF-8.") from error
    return {key: values[-1] for key, values in parse_qs(text).items()}


def _query(call: Call) -> dict[str, str]:
    return dict(call.request.query_params or {})


@api.operation(
    "GET",
    "/v1/dev/authorize",
    auth=Auth.PUBLIC,
    summary="Log-in page of the local issuer (stands in for CSAM's)",
    response_media_types=(HTML_UTF8,),
    errors=("validation_error",),
)
def dev_authorize_page(call: Call) -> Response:
    """Pick a demo identity or type one; the browser then returns to the portal with a code."""
    request = dev_issuer.authorization_request(_query(call))
    page = login_page.render(request, dev_issuer.known_identities())
    return Response(body=page, status_code=200, headers={"Content-Type": HTML_UTF8})


@api.operation(
    "POST",
    "/v1/dev/authorize",
    auth=Auth.PUBLIC,
    summary="Log in as the chosen identity and return to the portal with a code",
    status=303,
    request_media_types=(FORM,),
    errors=("validation_error",),
    max_body_bytes=16_384,
)
def dev_authorize(call: Call) -> Response:
    form = _form(call)
    request = dev_issuer.authorization_request(form)
    sub, name = form.get("sub", "").strip(), form.get("name", "").strip()
    if not sub or not name:
        raise DomainError("validation_error", "Fill in an identifier and a name.")
    roles = ["ops"] if form.get("ops") else []
    location = dev_issuer.authorize(request, sub, name, roles, call.now)
    return Response(body="", status_code=303, headers={"Location": location})


@api.operation(
    "POST",
    "/v1/dev/oauth/token",
    auth=Auth.PUBLIC,
    summary="Exchange the code for a person token (PKCE)",
    request_media_types=(FORM,),
    response=TokenResponse,
    errors=("invalid_grant",),
    max_body_bytes=16_384,
)
def dev_redeem_code(call: Call) -> TokenResponse:
    form = _form(call)
    if form.get("grant_type") != "authorization_code":
        raise DomainError("invalid_grant", "grant_type must be authorization_code.")
    token, lifetime = dev_issuer.redeem(form, call.now)
    return TokenResponse(access_token=token, expires_in=lifetime)
