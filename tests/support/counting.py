"""Counting what the code reads from DynamoDB: requests, and items read (for a Query or Scan,
those it looked at, before any filter expression: what DynamoDB charges for)."""

from __future__ import annotations

import time
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
                tally["items"] += int(result.get("ScannedCount", result.get("Count", 0)))
            elif operation_name == "BatchGetItem":
                tally["items"] += sum(len(v) for v in result.get("Responses", {}).values())
        return result

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield tally
    finally:
        botocore.client.BaseClient._make_api_call = inner


def reads_follow_the_answer(reads: Counter[str], returned: int) -> bool:
    """The guard on a list request: it may read at most twice what it returns, plus a constant
    (the caller, its organisation, a rate window, one row to know there is more)."""
    return reads["items"] <= 2 * returned + 12


def item_bytes(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values."""
    size = 0
    for name, typed in item.items():
        size += len(name.encode())
        for kind, value in typed.items():
            if kind == "B":
                size += len(value) if isinstance(value, bytes | bytearray) else len(value) * 3 // 4
            elif kind in ("S", "N"):
                size += len(str(value).encode())
            else:
                size += len(str(value))
    return size


@contextmanager
def dynamodb_read_volume() -> Iterator[Counter[str]]:
    """Like dynamodb_reads, and the bytes of the items returned; `aws_us`: the microseconds
    spent in every AWS call (moto's, in this process)."""
    tally: Counter[str] = Counter()
    inner = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        started = time.perf_counter()
        try:
            result = inner(self, operation_name, api_params)
        finally:
            tally["aws_us"] += int((time.perf_counter() - started) * 1e6)
        if operation_name in ("Query", "GetItem", "BatchGetItem"):
            tally["requests"] += 1
            items = result.get("Items") or ([result["Item"]] if result.get("Item") else [])
            for responses in result.get("Responses", {}).values():
                items = [*items, *responses]
            tally["items"] += max(len(items), int(result.get("ScannedCount", 0)))
            tally["bytes"] += sum(item_bytes(item) for item in items)
        return result

    botocore.client.BaseClient._make_api_call = counting
    try:
        yield tally
    finally:
        botocore.client.BaseClient._make_api_call = inner


@contextmanager
def resources_touched() -> Iterator[dict[str, set[str]]]:
    """What the code calls while the block runs: DynamoDB tables, "table operation" pairs (a
    transaction's by its items' kinds: Put, Update, Delete, ConditionCheck), and "bucket
    operation" pairs, and the "bucket operation key" of each call that names an object."""
    touched: dict[str, set[str]] = {
        "tables": set(),
        "buckets": set(),
        "table_operations": set(),
        "objects": set(),
    }
    inner = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: Any) -> Any:
        operations = touched["table_operations"]  # "table operation", a transaction's per item
        if "TableName" in api_params:
            touched["tables"].add(api_params["TableName"])
            operations.add(f"{api_params['TableName']} {operation_name}")
        for table in api_params.get("RequestItems", {}):
            touched["tables"].add(table)
            operations.add(f"{table} {operation_name}")
        for item in api_params.get("TransactItems", []):
            for kind, action in item.items():
                touched["tables"].add(action["TableName"])
                operations.add(f"{action['TableName']} {kind}")
        if "Bucket" in api_params:
            touched["buckets"].add(f"{api_params['Bucket']} {operation_name}")
            if "Key" in api_params:
                touched["objects"].add(
                    f"{api_params['Bucket']} {operation_name} {api_params['Key']}"
                )
        return inner(self, operation_name, api_params)

    botocore.client.BaseClient._make_api_call = recording
    try:
        yield touched
    finally:
        botocore.client.BaseClient._make_api_call = inner
