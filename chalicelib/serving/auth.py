"""Who is calling: bearer JWTs, RS256 only, checked against the configured issuer's JWKS."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import LOCAL_JWKS, Settings
from ..domain.errors import DomainError
from ..security.keys import DEV_ISSUER_KEY
from ..security.tokens import (
    JwksUrlResolver,
    KeyResolver,
    OwnKeyResolver,
    bearer_token,
    unauthenticated,
    verify_rs256,
)

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


_resolvers: dict[str, KeyResolver] = {}


def _resolver(config: Settings) -> KeyResolver:
    url = config.auth_jwks_url
    if url == LOCAL_JWKS:
        if not config.is_local:
            raise DomainError("service_unavailable", "Authentication is not configured.")
        return OwnKeyResolver(DEV_ISSUER_KEY)
    if not url:
        raise DomainError("service_unavailable", "Authentication is not configured.")
    if url not in _resolvers:
        _resolvers[url] = JwksUrlResolver(url)
    return _resolvers[url]


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
    claimed = claims.get("roles") or []
    roles = (
        {role for role in claimed if isinstance(role, str)} if isinstance(claimed, list) else set()
    )
    # Operators are the persons the operator lists; a token's word for it counts only from the
    # local stage's own issuer, which stands in for CSAM on a developer's machine.
    if not config.is_local:
        roles.discard(OPERATOR_ROLE)
    if sub in config.operators:
        roles.add(OPERATOR_ROLE)
    name = claims.get("name")
    return Person(sub=sub, name=name if isinstance(name, str) else "", roles=frozenset(roles))
