"""The local stack's own OpenID issuer: it stands in for CSAM on a developer's machine.

Its key is made once per process, or kept in DEV_ISSUER_KEY_FILE so that tokens survive a
restart of the local stack. Only the local stage routes its endpoints and trusts its keys.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..config import settings
from . import keys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME = timedelta(hours=8)
KEY = "DEV_ISSUER_KEY"


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
