"""Tokens of every kind a caller might present, good and bad."""

from __future__ import annotations

import base64
import json
import time
from functools import cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.config import DEV_AUDIENCE, DEV_ISSUER
from chalicelib.services import dev_issuer
from tests.support import privacy


@cache
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": "mallory",
        "name": "Mallory",
        "roles": [],
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    privacy.remember(base.get("name"))
    return {key: value for key, value in base.items() if value is not None}


def signed_by_dev_issuer(**overrides: Any) -> str:
    return jwt.encode(
        claims(**overrides),
        dev_issuer.private_key(),
        algorithm="RS256",
        headers={"kid": dev_issuer.public_jwk()["kid"]},
    )


def forged(**overrides: Any) -> str:
    """Signed by a key the issuer never had, under the issuer's own key id."""
    return jwt.encode(
        claims(**overrides),
        stranger_key(),
        algorithm="RS256",
        headers={"kid": dev_issuer.public_jwk()["kid"]},
    )


def unknown_kid(**overrides: Any) -> str:
    return jwt.encode(
        claims(**overrides), stranger_key(), algorithm="RS256", headers={"kid": "nope"}
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def alg_none(**overrides: Any) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": dev_issuer.public_jwk()["kid"]}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims(**overrides)).encode())}."


def hs256_with_public_key(**overrides: Any) -> str:
    """The classic confusion attack: HMAC keyed with the issuer's public key."""
    public_pem = (
        dev_issuer.private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": dev_issuer.public_jwk()["kid"]}
    signing_input = (
        f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims(**overrides)).encode())}"
    )
    import hashlib
    import hmac

    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"
