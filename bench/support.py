"""What the benchmarks share: an emulated AWS account like the tests', in this process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime


@contextmanager
def emulated_aws() -> Iterator[None]:
    """moto in-process with every table and bucket, and no endpoint override in the way."""
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_REGION="eu-west-1",
        STAGE="local",
        POWERTOOLS_LOG_LEVEL="WARNING",
        # Figures only: no EMF metric lines between them.
        POWERTOOLS_METRICS_DISABLED="true",
    )
    from moto import mock_aws

    with mock_aws():
        from chalicelib.local import bootstrap

        bootstrap()
        yield


def active_edv(enterprise_number: str, now: datetime) -> None:
    """An EDV on the portal and the API, its contract signed and approved, administered by
    "admin"."""
    from chalicelib.domain.directory import Role
    from chalicelib.domain.vocabulary import Channel
    from chalicelib.services import directory, onboarding
    from tests.support.world import a_pdf

    directory.link_from_kbo(enterprise_number, "admin", Role.ADMIN, "Bench EDV", now)
    onboarding.apply(
        "admin",
        enterprise_number,
        channel=Channel.PORTAL_AND_API,
        contact_name="b",
        contact_email="b@b.be",
        service_description="bench",
        now=now,
    )
    onboarding.upload_signed_contract("admin", enterprise_number, a_pdf(), now)
    onboarding.approve("ops", enterprise_number, now)
