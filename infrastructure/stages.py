"""What differs between the deployed stages. Nothing account-specific: the account and region
come from the deploying environment (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageConfig:
    name: str
    retain_data: bool  # deletion protection, snapshots kept, buckets kept on stack deletion
    auth_issuer: str
    auth_audience: str
    auth_jwks_url: str
    # The portal's pages log in with the authorization code flow + PKCE, as a public client.
    auth_authorization_endpoint: str
    auth_token_endpoint: str
    assertion_audiences: str
    esco_rate_limit_per_minute: int
    api_memory_mb: int
    alarm_email: str | None = None
    public_domain: str | None = None  # e.g. mijn.netbeheerder.be, with a certificate in us-east-1
    certificate_arn: str | None = None


CSAM = "https://idp.iamfas.belgium.be/fas/oauth2"

STAGES = {
    "dev": StageConfig(
        name="dev",
        retain_data=False,
        auth_issuer=f"{CSAM}",
        auth_audience="edv-portal-dev",
        auth_jwks_url=f"{CSAM}/connect/jwk_uri",
        auth_authorization_endpoint=f"{CSAM}/authorize",
        auth_token_endpoint=f"{CSAM}/access_token",
        assertion_audiences="",
        esco_rate_limit_per_minute=600,
        api_memory_mb=1024,
    ),
    "prod": StageConfig(
        name="prod",
        retain_data=True,
        auth_issuer=f"{CSAM}",
        auth_audience="edv-portal",
        auth_jwks_url=f"{CSAM}/connect/jwk_uri",
        auth_authorization_endpoint=f"{CSAM}/authorize",
        auth_token_endpoint=f"{CSAM}/access_token",
        assertion_audiences="",
        esco_rate_limit_per_minute=600,
        api_memory_mb=1769,  # a full vCPU: JSON of a year of quarter-hours is CPU work
    ),
}
