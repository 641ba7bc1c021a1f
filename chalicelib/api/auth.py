"""Who is calling: bearer JWTs, RS256 only, checked against the configured issuer's JWKS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..config import LOCAL_JWKS, Settings
from ..domain.errors import DomainError
from ..lazy import lazy_module
from ..services import dev_issuer

if TYPE_CHECKING:
    import jwt
else:
    jwt = lazy_module("jwt")  # with cryptography, a tenth of a second of cold start

CLOCK_SKEW_SECONDS = 30
OPERATOR_ROLE = "ops"


@dataclass(frozen=True)
class Person:
    """A person logged in through the identity provider (CSAM in production)."""

    sub: str
    name: str
    roles: frozenset[str]

    @property
    def is_operator(self) -> bool:
        return OPERATOR_ROLE in self.roles


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


class DevIssuerResolver:
    def key_for(self, kid: str) -> Any | None:
        jwk = dev_issuer.public_jwk()
        return dev_issuer.private_key().public_key() if jwk["kid"] == kid else None


_resolvers: dict[str, KeyResolver] = {}


def _resolver(config: Settings) -> KeyResolver:
    url = config.auth_jwks_url
    if url == LOCAL_JWKS:
        if not config.is_local:
            raise DomainError("service_unavailable", "Authentication is not configured.")
        return DevIssuerResolver()
    if not url:
        raise DomainError("service_unavailable", "Authentication is not configured.")
    if url not in _resolvers:
        _resolvers[url] = JwksUrlResolver(url)
    return _resolvers[url]


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


def authenticate_person(authorization: str | None, config: Settings) -> Person:
    token = bearer_token(authorization)
    claims = verify_rs256(
        token,
        _resolver(config),
        issuer=config.auth_issuer,
        audience=config.auth_audience,
        required=["sub"],
    )
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise unauthenticated("The token names no subject.")
    roles = claims.get("roles") or []
    if not isinstance(roles, list):
        roles = []
    name = claims.get("name")
    return Person(
        sub=sub,
        name=name if isinstance(name, str) else "",
        roles=frozenset(role for role in roles if isinstance(role, str)),
    )
