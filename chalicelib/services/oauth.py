"""The machine API's OAuth2 token service (client credentials, RFC 6749 and RFC 7523) and the
checks every machine request passes: a token we issued, a live client, its subscription key,
an active EDV on the API channel, and its rate limit."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeGuard

from ..config import settings
from ..domain import onboarding as rules
from ..domain.api_clients import ApiClient, hash_secret, subscription_key_matches, verify_secret
from ..domain.errors import DomainError
from ..domain.vocabulary import AuthMethod, ClientStatus
from ..lazy import lazy_module
from ..security import keys
from ..security.tokens import (
    CLOCK_SKEW_SECONDS,
    OwnKeyResolver,
    bearer_token,
    unauthenticated,
    verify_rs256,
)
from ..store import api_clients as api_clients_store
from ..store import machine_access as machine_access_store
from ..store import onboarding as onboarding_store

if TYPE_CHECKING:
    import jwt
else:
    jwt = lazy_module("jwt")

KEY = keys.TOKEN_SIGNING_KEY
ACCESS_TOKEN_SECONDS = 900
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_MAX_SECONDS = 3700  # clients written for Azure AD ask for an hour
MAX_IDENTIFIER_BYTES = 256  # client ids and jtis: far below DynamoDB's 2,048-byte key limit
_DUMMY_HASH = hash_secret("no such client")  # unknown clients cost as much as wrong secrets


class OAuthError(Exception):
    """RFC 6749 §5.2: `error` is the code, `description` for people."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, 401)


def issuer() -> str:
    return f"{settings().api_base_url}/oauth2"


def token_url() -> str:
    return f"{issuer()}/token"


# EDV software written for Azure AD (Entra ID) finds its issuer under a tenant: /{tenant}/v2.0,
# its token endpoint at /{tenant}/oauth2/v2.0/token. Any tenant name is ours; it selects nothing.
TENANT = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def tenant_issuer(tenant: str) -> str:
    return f"{settings().api_base_url}/{tenant}/v2.0"


def tenant_token_url(tenant: str) -> str:
    return f"{settings().api_base_url}/{tenant}/oauth2/v2.0/token"


def check_tenant(tenant: str) -> str:
    if not TENANT.match(tenant):
        raise OAuthError("invalid_request", "A tenant is 1 to 64 letters, digits, '.', '_', '-'.")
    return tenant


def metadata(tenant: str | None = None) -> dict[str, Any]:
    """OAuth 2.0 authorization-server metadata (RFC 8414), which is also the OpenID discovery
    document standard identity libraries (MSAL, Authlib) start from."""
    base = settings().api_base_url
    return {
        "issuer": tenant_issuer(tenant) if tenant else issuer(),
        "token_endpoint": tenant_token_url(tenant) if tenant else token_url(),
        "jwks_uri": f"{base}/oauth2/jwks",
        # Required by OpenID discovery; machine clients never use it (it explains so).
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["token"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["edv/.default"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "edv", "scope"],
    }


def assertion_audiences() -> list[str]:
    """Who a client assertion may be addressed to: our token endpoint or our issuer (under any
    tenant, as Entra-shaped clients address it), and what the stage configures besides."""
    return [token_url(), issuer(), *settings().assertion_audiences]


def _is_ours(audience: str) -> bool:
    base = settings().api_base_url
    if audience in assertion_audiences():
        return True
    for suffix in ("/oauth2/v2.0/token", "/v2.0"):
        if audience.startswith(f"{base}/") and audience.endswith(suffix):
            tenant = audience[len(base) + 1 : -len(suffix)]
            if TENANT.match(tenant):
                return True
    return False


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


def issue(form: dict[str, str], now: datetime, basic: dict[str, str] | None = None) -> IssuedToken:
    """Client credentials with a secret, or with a JWT signed by the registered certificate; the
    id and secret in the form, or in a Basic header (`basic`), never both ways at once."""
    if basic and ("client_secret" in form or "client_assertion" in form):
        raise OAuthError("invalid_request", "Authenticate in one way only.")
    form = {**form, **(basic or {})}
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "Only grant_type=client_credentials is offered.")
    if "client_assertion" in form or "client_assertion_type" in form:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
        client = _client_from_assertion(
            form.get("client_assertion", ""), form.get("client_id"), now
        )
    elif form.get("client_secret"):
        client = _client_from_secret(form.get("client_id", ""), form["client_secret"])
    else:
        raise _invalid_client("Authenticate with client_secret or a client_assertion.")
    _require_usable(client, now)
    scope = form.get("scope", "")
    claims = {
        "iss": issuer(),
        "aud": settings().token_audience,
        "sub": client.client_id,
        "edv": client.enterprise_number,
        "scope": scope,
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + ACCESS_TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(
        claims,
        keys.signing_key(KEY),
        algorithm="RS256",
        headers={"kid": keys.public_jwk(KEY)["kid"]},
    )
    return IssuedToken(token, ACCESS_TOKEN_SECONDS, scope)


def _client_from_secret(client_id: str, secret: str) -> ApiClient:
    client = api_clients_store.get(client_id) if _is_identifier(client_id) else None
    stored = (
        client.secret_hash if client and client.auth_method is AuthMethod.CLIENT_SECRET else None
    )
    if not verify_secret(secret, stored or _DUMMY_HASH) or client is None or stored is None:
        raise _invalid_client("Unknown client or wrong secret.")
    return client


def _is_identifier(value: object) -> TypeGuard[str]:
    """A client id or jti we can look up: a non-empty string well within DynamoDB's key sizes."""
    return isinstance(value, str) and 0 < len(value.encode()) <= MAX_IDENTIFIER_BYTES


def _client_from_assertion(assertion: str, client_id: str | None, now: datetime) -> ApiClient:
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.InvalidTokenError as error:
        raise _invalid_client("The client assertion is not a JWT.") from error
    if header.get("alg") != "RS256":
        raise _invalid_client("The client assertion must be signed with RS256.")
    claimed = unverified.get("sub")
    if not _is_identifier(claimed) or (client_id and client_id != claimed):
        raise _invalid_client("The assertion's subject must be the client id.")
    client = api_clients_store.get(claimed)
    certificate = client.certificate if client else None
    # x5t or x5t#S256 name the certificate where clients send them (Entra-style); RFC 7523
    # clients (Authlib) send none, and then the client's one registered certificate is tried.
    # base64url, with or without padding: MSAL pads, RFC 7515 examples do not.
    thumbprints = {
        value.rstrip("=")
        for value in (header.get("x5t"), header.get("x5t#S256"))
        if isinstance(value, str)
    }
    if (
        client is None
        or certificate is None
        or (thumbprints and not thumbprints & {certificate.thumbprint, certificate.thumbprint_s256})
    ):
        raise _invalid_client("The assertion is not signed by a registered certificate (x5t).")
    from cryptography import x509

    public_key = x509.load_pem_x509_certificate(certificate.pem.encode()).public_key()
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            public_key,  # type: ignore[arg-type]
            algorithms=["RS256"],
            leeway=CLOCK_SKEW_SECONDS,
            # The audience is checked below: any tenant's token endpoint or issuer is ours.
            options={"require": ["exp", "sub", "iss", "aud", "jti"], "verify_aud": False},
        )
    except jwt.ExpiredSignatureError as error:
        raise _invalid_client("The client assertion has expired.") from error
    except jwt.InvalidTokenError as error:
        raise _invalid_client(f"The client assertion is not valid: {error}") from error
    # Claim types before use: PyJWT checks exp's, not jti's, and jti becomes part of a key.
    if not _is_identifier(claims["jti"]) or claims["iss"] != claims["sub"]:
        raise _invalid_client(
            "The assertion's jti must be a short string; iss and sub the client id."
        )
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if not any(isinstance(audience, str) and _is_ours(audience) for audience in audiences):
        raise _invalid_client(f"The client assertion's audience must be {token_url()}.")
    if claims["iss"] != claims["sub"]:
        raise _invalid_client("The assertion's issuer and subject must both be the client id.")
    if claims["exp"] - now.timestamp() > ASSERTION_MAX_SECONDS:
        raise _invalid_client("The client assertion may live an hour at most.")
    if now >= certificate.not_after:
        raise _invalid_client("The registered certificate has expired.")
    if not machine_access_store.spend_assertion(
        client.client_id, str(claims["jti"]), datetime.fromtimestamp(claims["exp"], now.tzinfo)
    ):
        raise _invalid_client("This client assertion was used before (jti).")
    return client


def _require_usable(client: ApiClient, now: datetime) -> None:
    if client.status is not ClientStatus.ACTIVE:
        raise _invalid_client("This client has been revoked.")
    try:
        rules.require_api_channel(onboarding_store.get_application(client.enterprise_number))
    except DomainError as error:
        raise _invalid_client(f"No API access: {error.detail}") from error


# Every machine request ------------------------------------------------------------------


def authenticate(
    authorization: str | None, subscription_key: str | None, now: datetime
) -> ApiClient:
    """The API client behind a request, or DomainError (unauthenticated / forbidden)."""
    token = bearer_token(authorization)
    claims = verify_rs256(
        token,
        OwnKeyResolver(KEY),
        issuer=issuer(),
        audience=settings().token_audience,
        required=["sub", "edv"],
    )
    client = api_clients_store.get(str(claims["sub"]))
    if client is None or client.status is not ClientStatus.ACTIVE:
        raise unauthenticated("This client has been revoked.")
    if not subscription_key or not subscription_key_matches(
        subscription_key, client.subscription_key_hash
    ):
        raise unauthenticated("Missing or invalid Ocp-Apim-Subscription-Key for this client.")
    try:
        rules.require_api_channel(onboarding_store.get_application(client.enterprise_number))
    except DomainError as error:
        raise DomainError("forbidden", f"No API access: {error.detail}") from error
    return client


def jwks() -> dict[str, Any]:
    return {"keys": [keys.public_jwk(KEY)]}


@dataclass(frozen=True)
class RateState:
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w=60",
        }


def count_request(client: ApiClient, now: datetime) -> RateState:
    """A fixed window per minute, for the client and for its EDV across all its clients; past
    either limit, 429 with Retry-After. The headers tell the window with the least left."""
    seconds = now.timestamp()
    minute = math.floor(seconds / 60)
    reset = max(int((minute + 1) * 60 - seconds), 1)
    windows = [
        (settings().esco_rate_limit, machine_access_store.count_request(client.client_id, minute)),
        (
            settings().esco_edv_rate_limit,
            machine_access_store.count_edv_request(client.enterprise_number, minute),
        ),
    ]
    limit, used = min(windows, key=lambda window: window[0] - window[1])
    state = RateState(limit, max(limit - used, 0), reset)
    if used > limit:
        raise DomainError(
            "rate_limited",
            f"At most {limit} requests a minute; try again in {state.reset_seconds} s.",
            headers={**state.headers(), "Retry-After": str(state.reset_seconds)},
        )
    return state
