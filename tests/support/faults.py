"""Injecting AWS faults below our code and above botocore: every client (PynamoDB's and boto3's)
goes through BaseClient._make_api_call, so a chosen call fails as AWS would make it fail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

from botocore.client import BaseClient
from botocore.exceptions import ClientError

THROTTLED = "ProvisionedThroughputExceededException"


@dataclass
class Fault:
    operation: str
    code: str
    table: str | None  # only calls naming this table (or bucket) fail
    skip: int  # let this many matching calls through first
    times: int  # then fail this many
    seen: int = 0
    failed: int = 0

    def matches(self, operation: str, params: dict[str, Any]) -> bool:
        if operation != self.operation:
            return False
        target = str(params.get("TableName") or params.get("Bucket") or params)
        return self.table is None or self.table in target


@contextmanager
def aws_fault(
    operation: str,
    code: str = THROTTLED,
    *,
    table: str | None = None,
    skip: int = 0,
    times: int = 1,
) -> Iterator[Fault]:
    fault = Fault(operation, code, table, skip, times)
    original = BaseClient._make_api_call

    def make_api_call(client: BaseClient, name: str, params: dict[str, Any]) -> Any:
        if fault.matches(name, params):
            fault.seen += 1
            if fault.seen > fault.skip and fault.failed < fault.times:
                fault.failed += 1
                error = {"Error": {"Code": fault.code, "Message": "injected by the test"}}
                raise ClientError({**error, "ResponseMetadata": {"HTTPStatusCode": 400}}, name)
        return original(client, name, params)

    with patch.object(BaseClient, "_make_api_call", make_api_call):
        yield fault
