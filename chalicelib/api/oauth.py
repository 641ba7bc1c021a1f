"""The token service of the machine API: OAuth2 client credentials (RFC 6749 §4.4) with a client
secret or a signed client assertion (RFC 7523, `private_key_jwt`)."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal
from urllib.parse import parse_qs, unquote_plus

from chalice.app import Response
from pydantic import Field

from ..media_types import FORM, JSON, PROBLEM_JSON
from ..services import oauth
from ..serving.models import ApiModel, RequestBody
from ..serving.routing import Api, Auth, Call

api = Api("Token service")


class TokenForm(RequestBody):
    """Sent form-encoded, as OAuth2 prescribes."""

    grant_type: Literal["client_credentials"]
    client_id: str | None = None
    client_secret: str | None = None
    client_assertion_type: str | None = Field(
        None, examples=["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    )
    client_assertion: str | None = Field(
        None, description="RS256 JWT, x5t naming the registered certificate; iss=sub=client_id"
    )
    scope: str | None = None


class TokenAnswer(ApiModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret
    expires_in: int
    scope: str


def _oauth_error(error: oauth.OAuthError) -> Response:
    # RFC 6749 §5.2 members for OAuth clients, RFC 9457 members for everyone else.
    body = {
        "error": error.error,
        "error_description": error.description,
        "type": f"urn:problem-type:edv:{error.error}",
        "title": "Token request refused",
        "status": error.status,
        "detail": error.description,
        "code": error.error,
    }
    headers: dict[str, str | list[str]] = {
        "Content-Type": PROBLEM_JSON,
        "Cache-Control": "no-store",
    }
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="token"'
    return Response(body=json.dumps(body), status_code=error.status, headers=headers)


TOKEN: dict[str, Any] = {
    "auth": Auth.PUBLIC,
    "body_doc": TokenForm,
    "request_media_types": (FORM,),
    "response": TokenAnswer,
    "errors": ("bad_request", "invalid_request", "unsupported_grant_type", "invalid_client"),
    "max_body_bytes": 16_384,
}


def _basic_credentials(authorization: str | None) -> dict[str, str]:
    """RFC 6749 §2.3.1 `client_secret_basic`: id and secret, form-encoded, in a Basic header."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = (
            base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        )
    except (ValueError, UnicodeDecodeError) as error:
        raise oauth.OAuthError("invalid_request", "The Basic credentials are malformed.") from error
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


def _token(call: Call) -> Response:
    try:
        form = {key: values[-1] for key, values in parse_qs(call.raw_body.decode()).items()}
        basic = _basic_credentials(call.request.headers.get("authorization"))
        issued = oauth.issue(form, call.now, basic)
    except UnicodeDecodeError:
        return _oauth_error(oauth.OAuthError("invalid_request", "The form is not UTF-8."))
    except oauth.OAuthError as error:
        return _oauth_error(error)
    answer = TokenAnswer(
        access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope
    )
    return Response(
        body=answer.model_dump_json(),
        status_code=200,
        headers={"Content-Type": JSON, "Cache-Control": "no-store", "Pragma": "no-cache"},
    )


@api.operation("POST", "/oauth2/token", summary="Get an access token (client credentials)", **TOKEN)
def issue_token(call: Call) -> Response:
    """A short-lived RS256 token for the machine API: client secret (in the form or as HTTP
    Basic) or a client assertion signed by the registered certificate. Errors follow RFC 6749
    (`error`, `error_description`) inside a problem+json body."""
    return _token(call)


@api.operation(
    "POST",
    "/{tenant}/oauth2/v2.0/token",
    summary="The token endpoint under an Entra-ID-shaped tenant path (any tenant name)",
    **TOKEN,
)
def issue_tenant_token(call: Call, tenant: str) -> Response:
    """For EDV software written against Azure AD: the same token service."""
    try:
        oauth.check_tenant(tenant)
    except oauth.OAuthError as error:
        return _oauth_error(error)
    return _token(call)


def _metadata(document: dict[str, object]) -> Response:
    return Response(
        body=json.dumps(document),
        status_code=200,
        headers={"Content-Type": JSON, "Cache-Control": "public, max-age=3600"},
    )


DISCOVERY = "OpenID discovery / OAuth 2.0 authorization-server metadata (RFC 8414)"


@api.operation("GET", "/.well-known/openid-configuration", auth=Auth.PUBLIC, summary=DISCOVERY)
def discovery(call: Call) -> Response:
    return _metadata(oauth.metadata())


@api.operation(
    "GET", "/oauth2/.well-known/openid-configuration", auth=Auth.PUBLIC, summary=DISCOVERY
)
def issuer_discovery(call: Call) -> Response:
    """Where OpenID discovery looks for the issuer `/oauth2`: issuer + /.well-known/…"""
    return _metadata(oauth.metadata())


@api.operation(
    "GET", "/.well-known/oauth-authorization-server", auth=Auth.PUBLIC, summary=DISCOVERY
)
def authorization_server_metadata(call: Call) -> Response:
    return _metadata(oauth.metadata())


@api.operation(
    "GET",
    "/.well-known/oauth-authorization-server/oauth2",
    auth=Auth.PUBLIC,
    summary=DISCOVERY,
)
def issuer_authorization_server_metadata(call: Call) -> Response:
    """RFC 8414 §3: the well-known path with the issuer's path appended."""
    return _metadata(oauth.metadata())


@api.operation(
    "GET",
    "/{tenant}/v2.0/.well-known/openid-configuration",
    auth=Auth.PUBLIC,
    summary=f"{DISCOVERY}, under an Entra-ID-shaped tenant path",
    errors=("invalid_request",),
)
def tenant_discovery(call: Call, tenant: str) -> Response:
    try:
        return _metadata(oauth.metadata(oauth.check_tenant(tenant)))
    except oauth.OAuthError as error:
        return _oauth_error(error)


@api.operation(
    "GET",
    "/oauth2/authorize",
    auth=Auth.PUBLIC,
    summary="Not offered: this issuer serves client credentials only",
    errors=("unsupported_response_type",),
)
def authorize(call: Call) -> Response:
    """OpenID discovery must name an authorization endpoint; machine clients never need one."""
    return _oauth_error(
        oauth.OAuthError(
            "unsupported_response_type", "This issuer offers the client-credentials grant only."
        )
    )


@api.operation("GET", "/oauth2/jwks", auth=Auth.PUBLIC, summary="The token service's public keys")
def token_keys(call: Call) -> Response:
    return Response(body=json.dumps(oauth.jwks()), status_code=200, headers={"Content-Type": JSON})
