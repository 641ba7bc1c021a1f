"""The local identity endpoints exist only in the local stage; deployed stages do not route them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.http import Http

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json
import os
from moto import mock_aws
from chalice.test import Client
with mock_aws():
    from chalicelib.local import bootstrap
    bootstrap()
    from app import app
    client = Client(app, stage_name=os.environ["CHALICE_STAGE"])
    json_type = {"Content-Type": "application/json"}
    token = client.http.post("/v1/dev/token", headers=json_type, body=b'{"sub": "x", "name": "X"}')
    kbo = client.http.put("/v1/dev/kbo/0123456749/links/x", headers=json_type,
                          body=b'{"role": "admin", "organisation_name": "X"}')
    print(json.dumps({
        "dev_routes": sorted(p for p in app.routes if p.startswith("/v1/dev")),
        "token_status": token.status_code, "kbo_status": kbo.status_code,
        "token_body": json.loads(token.body),
        "openapi_dev_paths": [p for p in json.loads(client.http.get("/openapi.json").body)["paths"]
                              if p.startswith("/v1/dev")],
    }))
"""


@pytest.mark.parametrize(
    ("stage", "chalice_stage"),
    [("prod", "prod"), ("dev", "edv-platform-dev"), ("prod", "edv-platform-prod")],
)
def test_deployed_stages_do_not_route_the_local_identity_endpoints(
    stage: str, chalice_stage: str
) -> None:
    # edv-platform-{stage} is the chalice stage the CDK app packages: no .chalice/config.json
    # section, so only the stack's own variables apply.
    env = {
        **os.environ,
        "STAGE": stage,
        "CHALICE_STAGE": chalice_stage,
        "CURSOR_KEY": "k",
        "AUTH_ISSUER": "https://idp.example",
        "AUTH_JWKS_URL": "https://idp.example/jwks",
    }
    completed = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["dev_routes"] == []
    assert result["token_status"] == 404
    assert result["kbo_status"] == 404
    assert result["token_body"]["code"] == "not_found"
    assert result["openapi_dev_paths"] == []


def test_a_lambda_without_a_stage_counts_as_prod(monkeypatch: object) -> None:
    from chalicelib import config

    env = {"AWS_LAMBDA_FUNCTION_NAME": "api"}
    original = dict(os.environ)
    try:
        os.environ.pop("STAGE", None)
        os.environ.update(env)
        assert config.stage() == "prod"
        assert config.settings().auth_jwks_url == ""
    finally:
        os.environ.clear()
        os.environ.update(original)


def test_dev_routes_exist_in_dev(http: Http) -> None:
    assert http.get("/v1/dev/jwks").json["keys"][0]["alg"] == "RS256"
