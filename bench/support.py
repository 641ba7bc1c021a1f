"""What the benchmarks share: an emulated AWS account like the tests', in this process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any


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

    with mock_aws(), queries_read_one_partition():
        from chalicelib.local import bootstrap

        bootstrap()
        yield


@contextmanager
def queries_read_one_partition() -> Iterator[None]:
    """moto answers a table query by sorting every item of the table and keeping the queried
    partition's: at a year of day items for 1,000 EANs (730,000 items) each query costs seconds,
    and the export benchmark hours, none of it DynamoDB's way. Here a query on the table (not
    an index) starts from its partition alone; the rest of moto's query (sort, key conditions,
    paging, filters, projections) runs unchanged, so the items answered are the same."""
    from inspect import signature

    from moto.dynamodb.models.table import Table

    query = Table.query
    parameters = signature(query)

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        called = parameters.bind(self, hash_key, *args, **kwargs).arguments
        if called.get("index_name") or not self.range_key_attr:
            return query(self, hash_key, *args, **kwargs)
        partition = list(self.items.get(hash_key, {}).values())
        self.all_items = lambda: partition  # read by moto's query for its candidates
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    Table.query = partition_query  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query = query  # type: ignore[method-assign]


def active_edv(enterprise_number: str, now: datetime) -> None:
    """An EDV on the portal and the API, its contract signed and approved, administered by
    "admin"."""
    from chalicelib.domain.vocabulary import Channel, Role
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


def machine_api_headers(edv: str, name: str) -> dict[str, str]:
    """What EDV software sends to the machine API: a new client's token (client credentials),
    its subscription key, and gzip accepted."""
    from chalicelib.services import api_clients, oauth

    now = datetime.now(UTC)
    created = api_clients.create("admin", edv, name, None, now)
    assert created.client_secret is not None
    form = {
        "grant_type": "client_credentials",
        "client_id": created.client.client_id,
        "client_secret": created.client_secret,
    }
    return {
        "Authorization": f"Bearer {oauth.issue(form, now).access_token}",
        "Ocp-Apim-Subscription-Key": created.subscription_key,
        "Accept-Encoding": "gzip",
    }
