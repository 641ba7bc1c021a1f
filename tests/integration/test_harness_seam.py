"""The outside acceptance suite's seam (API.md): mock_aws, bootstrap(), app, chalice's Client."""

from __future__ import annotations

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.conftest import ScanIssuedError


def test_the_seam_works_exactly_as_documented() -> None:
    with mock_aws():
        from chalicelib.local import bootstrap

        bootstrap()
        bootstrap()  # idempotent
        from app import app

        client = Client(app, stage_name="dev")
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
