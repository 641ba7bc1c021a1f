"""Self-signed X.509 certificates for API clients that sign their assertions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def certificate(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    *,
    valid_from: datetime | None = None,
    valid_days: int = 365,
) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, str]:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "edv-client.example")])
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    return key, built.public_bytes(serialization.Encoding.PEM).decode()
