"""The token service of the machine API: OAuth2 client credentials (RFC 6749 §4.4) with a client
secret or a signed client assertion (RFC 7523, `private_key_jwt`)."""

from __future__ import annotations

import json
from typing import Literal
from urllib.parse import parse_qs

from chalice.app import Response
from pydantic import Field

from ..media_types import FORM, JSON, PROBLEM_JSON
from ..services import oauth
from .models import ApiModel, RequestBody
from .routing import Api, Auth, Call

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


@api.operation(
    "POST",
    "/oauth2/token",
    auth=Auth.PUBLIC,
    summary="Get an access token (client credentials)",
    body_doc=TokenForm,
    request_media_types=(FORM,),
    response=TokenAnswer,
    errors=("bad_request",),
    max_body_bytes=16_384,
)
def issue_token(call: Call) -> Response:
    """A short-lived RS256 token for the machine API. Errors follow RFC 6749 (`error`,
    `error_description`) inside a problem+json body."""
    try:
        form = {key: values[-1] for key, values in parse_qs(call.raw_body.decode()).items()}
        issued = oauth.issue(form, call.now)
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


@api.operation("GET", "/oauth2/jwks", auth=Auth.PUBLIC, summary="The token service's public keys")
def token_keys(call: Call) -> Response:
    return Response(body=json.dumps(oauth.jwks()), status_code=200, headers={"Content-Type": JSON})
