"""A deployed function checks its configuration when it starts, and says what is missing."""

from __future__ import annotations

import pytest

from chalicelib.config import DEPLOYED_VARIABLES, ConfigurationError, check_deployed

COMPLETE = dict.fromkeys(DEPLOYED_VARIABLES, "x") | {
    "AWS_LAMBDA_FUNCTION_NAME": "edv-api",
    "STAGE": "prod",
    "AUTH_JWKS_URL": "https://idp.example/jwks",
}


def test_a_complete_deployed_configuration_passes() -> None:
    check_deployed(COMPLETE)


def test_a_missing_variable_is_named_at_cold_start() -> None:
    incomplete = {k: v for k, v in COMPLETE.items() if k not in ("CURSOR_KEY", "BUCKET_PAGES")}
    with pytest.raises(ConfigurationError, match="Missing configuration: BUCKET_PAGES, CURSOR_KEY"):
        check_deployed(incomplete)


@pytest.mark.parametrize("override", [{"STAGE": "local"}, {"AUTH_JWKS_URL": "local:dev-issuer"}])
def test_the_local_stage_never_runs_in_lambda(override: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="never run in AWS Lambda"):
        check_deployed(COMPLETE | override)


def test_outside_lambda_nothing_is_required() -> None:
    check_deployed({"STAGE": "local"})
