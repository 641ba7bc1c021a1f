"""The outside acceptance suite's seam (docs/api.md): mock_aws, bootstrap(), app, chalice's Client
on the local stage, `local`, or on its older name `dev`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.conftest import ScanIssuedError


@pytest.mark.parametrize("stage_name", ["local", "dev"])
def test_the_seam_works_exactly_as_documented(stage_name: str) -> None:
    with mock_aws():
        from chalicelib.local import bootstrap

        bootstrap()
        bootstrap()  # idempotent
        from app import app

        client = Client(app, stage_name=stage_name)
        token = client.http.post(
            "/v1/dev/token",
            headers={"Content-Type": "application/json"},
            body=b'{"sub": "harness", "name": "Harness"}',
        )
        assert token.status_code == 200


def test_a_dynamodb_scan_fails_the_test() -> None:
    from chalicelib.store.directory import OrganisationItem

    with mock_aws():
        from chalicelib.local import bootstrap

        bootstrap()
        with pytest.raises(ScanIssuedError):
            list(OrganisationItem.scan())


def test_dev_is_only_another_name_for_the_local_stage() -> None:
    stages = json.loads((Path(__file__).parents[2] / ".chalice" / "config.json").read_text())
    assert stages["stages"]["dev"] == stages["stages"]["local"]
    assert stages["stages"]["local"]["environment_variables"]["STAGE"] == "local"
