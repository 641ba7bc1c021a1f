"""Configuration from the environment: the only thing that differs between local and AWS.

Read at call time (not import time), because chalice's test client and Lambda set the stage's
variables around each invocation. Table names are the exception: PynamoDB models need them when
they are defined, so they come from TABLE_PREFIX at import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

DEV_ISSUER = "http://127.0.0.1:8000/v1/dev"
DEV_AUDIENCE = "edv-portal"
LOCAL_JWKS = "local:dev-issuer"  # the local stack's own issuer, whose keys live in-process
DEFAULT_TABLE_PREFIX = "edv-local-"


# What a deployed function cannot do without; the CDK stack sets every one (infrastructure/).
DEPLOYED_VARIABLES = (
    "STAGE",
    "TABLE_PREFIX",
    "AUTH_ISSUER",
    "AUTH_AUDIENCE",
    "AUTH_JWKS_URL",
    "BUCKET_PAGES",
    "BUCKET_CONTRACTS",
    "BUCKET_EXPORTS",
    "BUCKET_INGEST",
    "PAGES_BASE_URL_PARAMETER",
    "WEBHOOK_QUEUE",
    "WEBHOOK_DEAD_LETTER_QUEUE",
    "READINGS_RETENTION_DAYS",
)
# The API's alone: it signs cursors and tokens, and only its role may read the secrets. Another
# function given their names would try to read them at cold start and be refused.
API_SECRETS = ("CURSOR_KEY_SECRET", "TOKEN_SIGNING_KEY_PEM_SECRET")
# Secrets: in AWS only the name of a Secrets Manager secret is in the environment (anyone who may
# read a function's configuration reads its variables); the value is fetched at cold start.
SECRETS = ("CURSOR_KEY", "TOKEN_SIGNING_KEY_PEM")


class ConfigurationError(RuntimeError):
    """A deployed function is missing configuration: it must fail at cold start, not per request."""


def check_deployed(environment: Mapping[str, str] = os.environ, also: tuple[str, ...] = ()) -> None:
    """In Lambda: every variable present (and `also`, this function's own), and never the local
    stage (whose issuer anyone can use). Elsewhere (tests, the local stack, synthesis) nothing is
    checked."""
    if not environment.get("AWS_LAMBDA_FUNCTION_NAME"):
        return
    missing = [name for name in (*DEPLOYED_VARIABLES, *also) if not environment.get(name)]
    if missing:
        raise ConfigurationError(f"Missing configuration: {', '.join(missing)}.")
    if environment["STAGE"] == "local" or environment["AUTH_JWKS_URL"] == LOCAL_JWKS:
        raise ConfigurationError("The local stage and its issuer never run in AWS Lambda.")
    plain = [name for name in SECRETS if environment.get(name)]
    if plain:
        raise ConfigurationError(
            f"Secrets come from Secrets Manager, not the environment: {', '.join(plain)}."
        )


def secret(name: str) -> str:
    """A secret's value: from the Secrets Manager secret named by {NAME}_SECRET (read once per
    Lambda instance), else, outside AWS, from the variable {NAME} itself."""
    reference = os.environ.get(f"{name}_SECRET")
    if reference:
        return _secret_value(reference)
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        return ""  # check_deployed refuses a secret in a variable; absent means not configured
    return os.environ.get(name, "")


@cache
def _secret_value(reference: str) -> str:
    import boto3

    return str(boto3.client("secretsmanager").get_secret_value(SecretId=reference)["SecretString"])


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value else default


def stage() -> str:
    """`local` (the embedded stack and the tests: chalice's `dev` stage), or a deployed stage, `dev`
    or `prod`. Only `local` routes the local identity endpoints; in Lambda a missing STAGE means
    prod."""
    default = "prod" if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") else "local"
    return _env("STAGE", default)


DEFAULT_READINGS_RETENTION_DAYS = (
    1096  # three years; each stage sets its own (infrastructure/stages.py)
)


def readings_retention() -> timedelta:
    """How long readings are kept after the day (or month) they measure: they then expire."""
    return timedelta(
        days=int(_env("READINGS_RETENTION_DAYS", str(DEFAULT_READINGS_RETENTION_DAYS)))
    )


def table_name(base: str) -> str:
    return _env("TABLE_PREFIX", DEFAULT_TABLE_PREFIX) + base


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    auth_issuer: str
    auth_audience: str
    auth_jwks_url: str
    pages_base_url: str
    pages_bucket: str
    contracts_bucket: str
    exports_bucket: str
    ingest_bucket: str
    cursor_key: str
    api_base_url: str
    token_audience: str
    assertion_audiences: tuple[str, ...]
    esco_rate_limit: int
    esco_edv_rate_limit: int
    operators: frozenset[str]  # the persons (subjects) who are the grid operator's staff
    webhook_queue: str
    webhook_dead_letter_queue: str

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


@cache
def _parameter(name: str) -> str:
    """An SSM parameter, read once per Lambda instance. Deployed, the public base URL is only
    known after CloudFront exists, which itself routes to the API: a parameter breaks the loop."""
    import boto3

    response = boto3.client("ssm").get_parameter(Name=name)
    return str(response["Parameter"]["Value"])


def _base_url() -> str:
    explicit = os.environ.get("PAGES_BASE_URL")
    if explicit:
        return explicit
    parameter = os.environ.get("PAGES_BASE_URL_PARAMETER")
    return _parameter(parameter) if parameter else "http://127.0.0.1:8000"


def settings() -> Settings:
    current = stage()
    return Settings(
        stage=current,
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "eu-west-1")),
        auth_issuer=_env("AUTH_ISSUER", DEV_ISSUER if current == "local" else ""),
        auth_audience=_env("AUTH_AUDIENCE", DEV_AUDIENCE),
        auth_jwks_url=_env("AUTH_JWKS_URL", LOCAL_JWKS if current == "local" else ""),
        pages_base_url=_base_url().rstrip("/"),
        pages_bucket=_env("BUCKET_PAGES", "edv-local-pages"),
        contracts_bucket=_env("BUCKET_CONTRACTS", "edv-local-contracts"),
        exports_bucket=_env("BUCKET_EXPORTS", "edv-local-exports"),
        ingest_bucket=_env("BUCKET_INGEST", "edv-local-ingest"),
        # The local default only protects local data; prod injects a secret (infrastructure/).
        cursor_key=secret("CURSOR_KEY") or ("dev-only-cursor-key" if current == "local" else ""),
        api_base_url=_env("API_BASE_URL", _base_url()).rstrip("/"),
        webhook_queue=_env("WEBHOOK_QUEUE", "edv-local-webhooks.fifo"),
        webhook_dead_letter_queue=_env("WEBHOOK_DEAD_LETTER_QUEUE", "edv-local-webhooks-dead.fifo"),
        token_audience=_env("TOKEN_AUDIENCE", "edv-machine-api"),
        # Audiences a client assertion may name besides our token URL: what existing ESCO clients
        # send (they were written for Azure AD), e.g. https://login.microsoftonline.com/{tenant}/v2.0
        assertion_audiences=tuple(
            value.strip() for value in _env("ASSERTION_AUDIENCES", "").split(",") if value.strip()
        ),
        esco_rate_limit=int(_env("ESCO_RATE_LIMIT_PER_MINUTE", "600")),
        # Across all of one EDV's clients: more clients do not multiply what one EDV may ask.
        esco_edv_rate_limit=int(_env("ESCO_EDV_RATE_LIMIT_PER_MINUTE", "1200")),
        # The operator's own list, not a claim in somebody's token (an identity provider we do not
        # run, CSAM, issues those). The local stage also trusts its own issuer's `ops` role.
        operators=frozenset(sub.strip() for sub in _env("OPERATORS", "").split(",") if sub.strip()),
    )
