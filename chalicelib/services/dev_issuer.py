"""The dev stage's own OpenID issuer: it stands in for CSAM on a developer's machine.

Its RSA key is made once per process, or kept in DEV_ISSUER_KEY_FILE so that tokens survive a
restart of the local stack. Only the dev stage routes its endpoints and trusts its keys.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME = timedelta(hours=8)
_key: rsa.RSAPrivateKey | None = None  # cryptography and jwt load on first use: cold starts


def _load_or_create(path: str) -> rsa.RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if path and Path(path).exists():
        loaded = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if isinstance(loaded, rsa.RSAPrivateKey):
            return loaded
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return key


def private_key() -> rsa.RSAPrivateKey:
    global _key
    if _key is None:
        _key = _load_or_create(settings().dev_issuer_key_file)
    return _key


def public_jwk() -> dict[str, Any]:
    from jwt.algorithms import RSAAlgorithm

    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key().public_key()))
    # RFC 7638 thumbprint as key id: stable for the same key, different for any other.
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    kid = urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


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
