"""Machine clients of an EDV (R3): credentials that are shown once and stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime

from .errors import DomainError
from .vocabulary import AuthMethod, ClientStatus

# scrypt parameters: ~16 MiB and tens of milliseconds per check; a leaked table stays expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class Certificate:
    pem: str
    thumbprint: str  # x5t: base64url SHA-1 of the DER certificate
    thumbprint_s256: str  # x5t#S256
    not_after: datetime
    subject: str


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    enterprise_number: str
    name: str
    auth_method: AuthMethod
    status: ClientStatus
    created_at: datetime
    created_by: str
    secret_hash: str | None
    subscription_key_hash: str
    certificate: Certificate | None = None
    revoked_at: datetime | None = None


def _b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_client_id() -> str:
    return "edv-" + secrets.token_hex(12)


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    padded = salt + "=" * (-len(salt) % 4)
    candidate = hashlib.scrypt(
        secret.encode(), salt=urlsafe_b64decode(padded), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(_b64(candidate), digest)


def hash_subscription_key(key: str) -> str:
    """Subscription keys are 256 random bits, checked on every call: a plain SHA-256 suffices."""
    return hashlib.sha256(key.encode()).hexdigest()


def subscription_key_matches(key: str, stored: str) -> bool:
    return hmac.compare_digest(hash_subscription_key(key), stored)


def parse_certificate(pem: str, now: datetime) -> Certificate:
    """An X.509 certificate with an RSA key that is valid now; its thumbprints name it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as error:
        raise DomainError(
            "validation_error", "The certificate is not a PEM X.509 certificate."
        ) from error
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise DomainError("validation_error", "The certificate must carry an RSA key (RS256).")
    if not certificate.not_valid_before_utc <= now < certificate.not_valid_after_utc:
        raise DomainError("validation_error", "The certificate is not valid at this time.")
    der = certificate.public_bytes(serialization.Encoding.DER)
    return Certificate(
        pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        thumbprint=_b64(certificate.fingerprint(hashes.SHA1())),  # noqa: S303 - x5t is SHA-1 by RFC 7515
        thumbprint_s256=_b64(hashlib.sha256(der).digest()),
        not_after=certificate.not_valid_after_utc,
        subject=certificate.subject.rfc4514_string(),
    )
