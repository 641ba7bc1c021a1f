"""RSA signing keys: the dev issuer's, and the token service's.

In production a key comes from the environment (the CDK app passes a secret). On a developer's
machine it is made on first use and, if a file is named, kept there so that tokens survive a
restart. A prod stage never invents a key.
"""

from __future__ import annotations

import hashlib
import json
import os
from base64 import urlsafe_b64encode
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import secret, settings
from ..domain.errors import DomainError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

# The keys there are: the machine API token service's, and the local stack's stand-in for CSAM.
TOKEN_SIGNING_KEY = "TOKEN_SIGNING_KEY"  # noqa: S105 - the name of a key, not a key
DEV_ISSUER_KEY = "DEV_ISSUER_KEY"


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


@cache
def signing_key(name: str) -> rsa.RSAPrivateKey:
    """The key called `name`: the secret {NAME}_PEM (config.secret: Secrets Manager in AWS),
    else (dev only) from {NAME}_FILE or made."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = secret(f"{name}_PEM")
    if pem:
        loaded = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise DomainError("service_unavailable", f"{name} is not an RSA key.")
        return loaded
    if not settings().is_local:
        raise DomainError("service_unavailable", f"The signing key {name} is not configured.")
    return _load_or_create(os.environ.get(f"{name}_FILE", ""))


def public_jwk(name: str) -> dict[str, Any]:
    """The public half as a JWK, with its RFC 7638 thumbprint as key id."""
    from jwt.algorithms import RSAAlgorithm

    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(signing_key(name).public_key()))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    kid = urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}
