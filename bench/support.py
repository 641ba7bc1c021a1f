"""What the benchmarks share: an emulated AWS account like the tests', in this process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


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
