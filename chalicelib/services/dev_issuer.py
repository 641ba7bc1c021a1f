"""The local stack's own OpenID issuer: it stands in for CSAM on a developer's machine.

Its key is made once per process, or kept in DEV_ISSUER_KEY_FILE so that tokens survive a
restart of the local stack. Only the local stage routes its endpoints and trusts its keys.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import uuid
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from ..config import settings
from ..domain.errors import DomainError, FieldError
from ..security import keys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME = timedelta(hours=8)
LOCAL_HOSTS = ("127.0.0.1", "localhost")
KEY = keys.DEV_ISSUER_KEY


def private_key() -> rsa.RSAPrivateKey:
    return keys.signing_key(KEY)


def public_jwk() -> dict[str, Any]:
    return keys.public_jwk(KEY)


def jwks() -> dict[str, Any]:
    return {"keys": [public_jwk()]}


def mint(sub: str, name: str, roles: list[str], now: datetime) -> tuple[str, int]:
    """A signed person token as CSAM would issue it, and its lifetime in seconds."""
    import jwt

    config = settings()
    claims = {
        "iss": config.auth_issuer,
        "aud": config.auth_audience,
        "sub": sub,
        "name": name,
        "roles": roles,
        "iat": int(now.timestamp()),
        "exp": int((now + TOKEN_LIFETIME).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(
        claims, private_key(), algorithm="RS256", headers={"kid": public_jwk()["kid"]}
    )
    return token, int(TOKEN_LIFETIME.total_seconds())


# The portal logs in with OpenID Connect's authorization code flow and PKCE (RFC 7636), against
# CSAM in production. Locally this issuer plays that part too, so the pages run the same code.

CODE_LIFETIME = timedelta(minutes=2)


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str


@dataclass(frozen=True)
class _PendingCode:
    request: AuthorizationRequest
    sub: str
    name: str
    roles: tuple[str, ...]
    expires: datetime


_codes: dict[str, _PendingCode] = {}
_codes_lock = threading.Lock()


def authorization_request(params: dict[str, str]) -> AuthorizationRequest:
    """Check what the portal sent to the authorize endpoint (local redirect URIs only)."""
    problems = []
    if params.get("response_type") != "code":
        problems.append(FieldError("response_type", "response_type must be code."))
    if params.get("code_challenge_method") != "S256":
        problems.append(FieldError("code_challenge_method", "Only S256 (PKCE) is supported."))
    if len(params.get("code_challenge", "")) < 43:
        problems.append(FieldError("code_challenge", "A PKCE code challenge is required."))
    redirect = urlsplit(params.get("redirect_uri", ""))
    if redirect.scheme not in ("http", "https") or redirect.hostname not in LOCAL_HOSTS:
        problems.append(FieldError("redirect_uri", "redirect_uri must be on this machine."))
    if not params.get("client_id"):
        problems.append(FieldError("client_id", "client_id is required."))
    if problems:
        raise DomainError(
            "validation_error", "The authorization request is invalid.", errors=problems
        )
    return AuthorizationRequest(
        params["client_id"],
        params["redirect_uri"],
        params.get("state", ""),
        params["code_challenge"],
    )


def authorize(
    request: AuthorizationRequest, sub: str, name: str, roles: list[str], now: datetime
) -> str:
    """The URL that sends the browser back to the portal with a one-time code."""
    code = secrets.token_urlsafe(32)
    with _codes_lock:
        for stale in [c for c, p in _codes.items() if p.expires <= now]:
            del _codes[stale]
        _codes[code] = _PendingCode(request, sub, name, tuple(roles), now + CODE_LIFETIME)
    query = urlencode({"code": code, "state": request.state})
    return f"{request.redirect_uri}{'&' if '?' in request.redirect_uri else '?'}{query}"


def redeem(form: dict[str, str], now: datetime) -> tuple[str, int]:
    """Exchange a code (once) for a person token, if the PKCE verifier matches its challenge."""
    with _codes_lock:
        pending = _codes.pop(form.get("code", ""), None)
    if pending is None or pending.expires <= now:
        raise DomainError("invalid_grant", "The code is unknown, used or expired.")
    verifier = form.get("code_verifier", "")
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = urlsafe_b64encode(digest).rstrip(b"=").decode()
    if not hmac.compare_digest(challenge, pending.request.code_challenge):
        raise DomainError("invalid_grant", "The code verifier does not match the challenge.")
    if (form.get("redirect_uri"), form.get("client_id")) != (
        pending.request.redirect_uri,
        pending.request.client_id,
    ):
        raise DomainError("invalid_grant", "redirect_uri or client_id differ from the request.")
    return mint(pending.sub, pending.name, list(pending.roles), now)


@dataclass(frozen=True)
class Identity:
    sub: str
    name: str
    description: str
    roles: tuple[str, ...] = ()


def known_identities() -> list[Identity]:
    """The identities the local stack offers on its log-in page (DEV_IDENTITIES, JSON)."""
    import json

    listed = json.loads(os.environ.get("DEV_IDENTITIES") or "[]")
    return [
        Identity(i["sub"], i["name"], i.get("description", ""), tuple(i.get("roles", ())))
        for i in listed
    ]
