"""What differs between the deployed stages. Nothing account-specific: the account and region
come from the deploying environment (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION)."""

from __future__ import annotations

from dataclasses import dataclass

# CloudWatch Logs keeps a log group for one of these numbers of days (or for ever: never ours).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653)


@dataclass(frozen=True)
class Edge:
    """What stands between the internet and the functions, per stage: the numbers, each with why."""

    # WAF on CloudFront: requests one client IP may make in 5 minutes before it is blocked. The
    # portal makes ~20 requests a page and a machine client at most its rate limit a minute.
    requests_per_ip_per_5_minutes: int
    # Of them, to the token endpoints: each try of a client secret costs a memory-hard hash
    # (scrypt, ~16 MiB), and a client needs a token every 15 minutes, so a few dozen are plenty.
    token_requests_per_ip_per_5_minutes: int
    # API Gateway's stage throttle (all clients together), beyond which it answers 429 itself
    # before any Lambda runs; the burst absorbs a page's requests arriving at once.
    api_requests_per_second: int
    api_burst: int
    # The API function's share of the region's Lambda concurrency: at most this many at once, so
    # a flood cannot take the concurrency ingest, webhook delivery and the jobs need.
    api_reserved_concurrency: int


@dataclass(frozen=True)
class Retention:
    """How long what the system writes about people is kept (GDPR: no longer than its purpose)."""

    # The functions' logs (request ids, routes, EDV and person ids, EANs in errors): long enough
    # to investigate a problem an EDV or customer reports, which they do within weeks.
    function_log_days: int
    # API Gateway and CloudFront access logs, S3 access logs of contracts and ingest: the trail a
    # security investigation needs, which may start months after the fact.
    access_log_days: int
    # Signed data access contracts, every version of them, locked against deletion (S3 Object
    # Lock): the contract's legal period after it ends (ten years: the civil limitation period
    # for contractual claims, art. 2262bis of the old Civil Code).
    contract_days: int
    contract_lock_compliance: bool  # COMPLIANCE (no one may shorten it) or GOVERNANCE
    # Meter readings, counted from the end of the day (month) they measure, then expired by
    # DynamoDB's TTL: the data exists to be shared under mandates, which last three years, so an
    # EDV syncing daily never needs older data and a new mandate can reach three years back.
    readings_days: int
    # Ingest files once ingested and reported (the report and the readings are what count): long
    # enough to re-run or investigate a file the operator asks about.
    ingest_file_days: int


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
    esco_rate_limit_per_minute: int  # per API client
    esco_edv_rate_limit_per_minute: int  # per EDV, across its clients
    api_memory_mb: int
    edge: Edge
    retention: Retention
    alarm_email: str | None = None  # required where retain_data (prod): check() refuses without
    # The grid operator's staff: their subjects at the identity provider (CSAM), the only persons
    # the API treats as operators, whatever a token claims. Context `-c operators_<stage>=a,b`.
    operators: tuple[str, ...] = ()

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
        esco_edv_rate_limit_per_minute=1200,
        api_memory_mb=1024,
        edge=Edge(
            requests_per_ip_per_5_minutes=2000,
            token_requests_per_ip_per_5_minutes=100,
            api_requests_per_second=50,  # testers and the acceptance suite, not the public
            api_burst=100,
            api_reserved_concurrency=20,
        ),
        retention=Retention(
            function_log_days=14,  # test data only: two weeks to look into a failed run
            access_log_days=30,
            contract_days=1,  # test contracts: locked a day, so the stage can be torn down
            contract_lock_compliance=False,
            readings_days=400,  # test data: a year and a month
            ingest_file_days=7,
        ),
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
        esco_edv_rate_limit_per_minute=1200,
        api_memory_mb=1769,  # a full vCPU: JSON of a year of quarter-hours is CPU work
        edge=Edge(
            # 10 a second sustained per IP: a busy portal user or a client at its own rate limit
            # (600 a minute) stays under it; a scraper or a flood does not.
            requests_per_ip_per_5_minutes=3000,
            token_requests_per_ip_per_5_minutes=100,
            # ~4x the expected peak (a few hundred EDVs' clients and the customers' portal); a
            # higher limit is a support request to AWS, not a redeploy.
            api_requests_per_second=500,
            api_burst=1000,
            # of the account's default 1,000: the rest stays for ingest, webhooks, exports, jobs.
            api_reserved_concurrency=300,
        ),
        retention=Retention(
            function_log_days=90,
            access_log_days=365,
            contract_days=3653,
            contract_lock_compliance=True,
            readings_days=1096,
            ingest_file_days=30,
        ),
    ),
}


def check(stage: StageConfig) -> list[str]:
    """What would make the stage unfit to deploy; synthesis refuses it (infrastructure/app.py)."""
    problems = []
    if stage.retain_data and not stage.alarm_email:
        problems.append(
            f"{stage.name}: alarms need a subscriber; give one with -c alarm_email_{stage.name}=…"
        )
    if bool(stage.public_domain) != bool(stage.certificate_arn):
        problems.append(f"{stage.name}: a public domain and its certificate go together")
    retention = stage.retention
    for name, days in (
        ("function_log_days", retention.function_log_days),
        ("access_log_days", retention.access_log_days),
    ):
        if days not in RETENTION_DAYS:
            problems.append(f"{stage.name}: {name} must be one of {RETENTION_DAYS}")
    return problems
