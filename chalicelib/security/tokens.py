"""Bearer tokens: reading the Authorization header and verifying RS256 JWTs. Shared by the portal's
person log-in and the machine API's client tokens, so both refuse the same things the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ..domain.errors import DomainError
from ..lazy import lazy_module

if TYPE_CHECKING:
    import jwt
else:
    jwt = lazy_module("jwt")  # with cryptography, a tenth of a second of cold start

# How far our clock and an issuer's may disagree, for every token and assertion we check.
CLOCK_SKEW_SECONDS = 30


class KeyResolver(Protocol):
    def key_for(self, kid: str) -> Any | None: ...


class JwksUrlResolver:
    """Keys fetched from a JWKS URL and cached; an unknown kid triggers one refetch."""

    def __init__(self, url: str) -> None:
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=600, timeout=5)

    def key_for(self, kid: str) -> Any | None:
        try:
            return self._client.get_signing_key(kid).key
        except jwt.PyJWKClientConnectionError as error:
            raise DomainError(
                "service_unavailable", "The identity provider's keys cannot be fetched."
            ) from error
        except jwt.PyJWKClientError:
            return None


class OwnKeyResolver:
    """One of our own signing keys (security.keys), by name: the token service's or the local
    issuer's."""

    def __init__(self, name: str) -> None:
        self.name = name

    def key_for(self, kid: str) -> Any | None:
        from . import keys

        jwk = keys.public_jwk(self.name)
        return keys.signing_key(self.name).public_key() if jwk["kid"] == kid else None


def unauthenticated(detail: str) -> DomainError:
    return DomainError(
        "unauthenticated",
        detail,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise DomainError(
            "unauthenticated",
            "This endpoint needs a bearer token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("Use the Authorization header: Bearer <token>.")
    return token.strip()


def verify_rs256(
    token: str, resolver: KeyResolver, *, issuer: str, audience: str, required: list[str]
) -> dict[str, Any]:
    """The claims of an RS256 token from `issuer` for `audience`, or 401. No other algorithm."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise unauthenticated("The token is not a well-formed JWT.") from error
    if header.get("alg") != "RS256":
        raise unauthenticated("Only RS256-signed tokens are accepted.")
    kid = header.get("kid")
    key = resolver.key_for(kid) if isinstance(kid, str) else None
    if key is None:
        raise unauthenticated("The token is signed by an unknown key.")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=audience,
            issuer=issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud", *required]},
        )
    except jwt.ExpiredSignatureError as error:
        raise unauthenticated("The token has expired.") from error
    except jwt.InvalidAudienceError as error:
        raise unauthenticated("The token is not meant for this service.") from error
    except jwt.InvalidIssuerError as error:
        raise unauthenticated(
            "The token comes from an issuer this service does not trust."
        ) from error
    except jwt.InvalidTokenError as error:
        raise unauthenticated("The token is not valid.") from error
    return claims
