from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.support.http import Http


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh emulated AWS account with every table and bucket, as the outside harness sets up."""
    with mock_aws():
        from chalicelib.local import bootstrap

        bootstrap()
        yield


@pytest.fixture
def http(aws: None) -> Http:
    from app import app

    return Http(Client(app, stage_name="local"))
