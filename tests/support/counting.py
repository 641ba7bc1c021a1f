"""Counting what the code reads from DynamoDB: requests, and items returned."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client

READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems", "Scan"}


@contextmanager
def dynamodb_reads() -> Iterator[Counter[str]]:
    """Counter with 'requests' and 'items' read while the block runs."""
    tally: Counter[str] = Counter()
    inner = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        result = inner(self, operation_name, api_params)
        if operation_name in READS:
            tally["requests"] += 1
            if operation_name == "GetItem":
                tally["items"] += 1 if result.get("Item") else 0
            elif operation_name in ("Query", "Scan"):
                tally["items"] += int(result.get("Count", 0))
            elif operation_name == "BatchGetItem":
                tally["items"] += sum(len(v) for v in result.get("Responses", {}).values())
        return result

    botocore.client.BaseClient._make_api_call = counting  # type: ignore[method-assign]
    try:
        yield tally
    finally:
        botocore.client.BaseClient._make_api_call = inner  # type: ignore[method-assign]
