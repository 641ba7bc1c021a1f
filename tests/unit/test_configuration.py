"""A deployed function checks its configuration when it starts, and says what is missing."""

from __future__ import annotations

import pytest

from chalicelib.config import API_SECRETS, DEPLOYED_VARIABLES, ConfigurationError, check_deployed

COMPLETE = dict.fromkeys(DEPLOYED_VARIABLES, "x") | {
    "AWS_LAMBDA_FUNCTION_NAME": "edv-api",
    "STAGE": "prod",
    "AUTH_JWKS_URL": "https://idp.example/jwks",
}


def test_a_complete_deployed_configuration_passes() -> None:
    check_deployed(COMPLETE)


def test_a_missing_variable_is_named_at_cold_start() -> None:
    gone = ("WEBHOOK_QUEUE", "BUCKET_PAGES")
    incomplete = {k: v for k, v in COMPLETE.items() if k not in gone}
    with pytest.raises(
        ConfigurationError, match="Missing configuration: BUCKET_PAGES, WEBHOOK_QUEUE"
    ):
        check_deployed(incomplete)


def test_only_the_api_needs_the_names_of_the_secrets() -> None:
    """The other functions are not given them: their roles may not read the secrets."""
    check_deployed(COMPLETE)
    with pytest.raises(ConfigurationError, match="CURSOR_KEY_SECRET, TOKEN_SIGNING_KEY_PEM_SECRET"):
        check_deployed(COMPLETE, also=API_SECRETS)


def test_the_api_names_the_functions_it_hands_work_to() -> None:
    """Without them it would run their handlers in the process, which its bundle cannot."""
    api = ("RENDER_FUNCTION", "INGEST_FUNCTION")
    with pytest.raises(ConfigurationError, match="RENDER_FUNCTION, INGEST_FUNCTION"):
        check_deployed(COMPLETE, also=api)
    check_deployed(COMPLETE | dict.fromkeys(api, "edv-prod-Render"), also=api)


@pytest.mark.parametrize("variable", ["CURSOR_KEY", "TOKEN_SIGNING_KEY_PEM"])
def test_a_secret_in_a_plain_variable_is_refused_in_lambda(variable: str) -> None:
    """Anyone allowed to read a function's configuration reads its variables."""
    with pytest.raises(ConfigurationError, match="not the environment"):
        check_deployed(COMPLETE | {variable: "a key"})


@pytest.mark.parametrize("override", [{"STAGE": "local"}, {"AUTH_JWKS_URL": "local:dev-issuer"}])
def test_the_local_stage_never_runs_in_lambda(override: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="never run in AWS Lambda"):
        check_deployed(COMPLETE | override)


def test_outside_lambda_nothing_is_required() -> None:
    check_deployed({"STAGE": "local"})


def test_in_lambda_the_secrets_come_from_secrets_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from cryptography.hazmat.primitives import serialization
    from moto import mock_aws

    from chalicelib import config
    from chalicelib.security import keys
    from tests.support.tokens import stranger_key

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        manager = boto3.client("secretsmanager", region_name="eu-west-1")
        manager.create_secret(Name="edv/prod/cursor-key", SecretString="from-secrets-manager")
        pem = (
            stranger_key()
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
        manager.create_secret(Name="edv/prod/token-signing-key", SecretString=pem)
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "edv-api")
        monkeypatch.setenv("STAGE", "prod")
        monkeypatch.setenv("CURSOR_KEY", "from-a-variable")  # what no longer counts in Lambda
        assert config.secret("CURSOR_KEY") == ""
        monkeypatch.setenv("CURSOR_KEY_SECRET", "edv/prod/cursor-key")
        monkeypatch.setenv("TOKEN_SIGNING_KEY_PEM_SECRET", "edv/prod/token-signing-key")
        config._secret_value.cache_clear()
        keys.signing_key.cache_clear()
        try:
            assert config.settings().cursor_key == "from-secrets-manager"
            assert keys.signing_key(keys.TOKEN_SIGNING_KEY).key_size >= 2048
            # Read once per instance: a second read does not call Secrets Manager again.
            manager.delete_secret(SecretId="edv/prod/cursor-key", ForceDeleteWithoutRecovery=True)
            assert config.settings().cursor_key == "from-secrets-manager"
        finally:
            config._secret_value.cache_clear()
            keys.signing_key.cache_clear()
