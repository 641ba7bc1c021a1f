"""Counting what the code reads from DynamoDB: requests, and items read (for a Query or Scan,
those it looked at, before any filter expression: what DynamoDB charges for)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client

READS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems", "Scan"}


@contextmanager
def aws_calls_through(replacement: Callable[..., Any]) -> Iterator[None]:
    """Every AWS call goes through `replacement` while the block runs (botocore's one door,
    BaseClient._make_api_call); the replacement calls the original, read before the block."""
    inner = botocore.client.BaseClient._make_api_call
    botocore.client.BaseClient._make_api_call = replacement
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = inner


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

    with aws_calls_through(counting):
        yield tally


@contextmanager
def dynamodb_requests() -> Iterator[Counter[str]]:
    """Counter with 'dynamodb': the DynamoDB requests made while the block runs, of every kind
    (Lambda waits for each in AWS)."""
    tally: Counter[str] = Counter()
    inner = botocore.client.BaseClient._make_api_call

    def counting(client: Any, operation: str, params: Any) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            tally["dynamodb"] += 1
        return inner(client, operation, params)

    with aws_calls_through(counting):
        yield tally


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

    with aws_calls_through(counting):
        yield tally


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

    with aws_calls_through(recording):
        yield touched


@contextmanager
def capacity_units() -> Iterator[defaultdict[str, float]]:
    """Write and read units as on-demand DynamoDB charges them, per table ("write readings",
    "read readings") and in total ("write", "read"): a write unit per KB (rounded up) of the
    larger of the item before and after, per index entry written (twice when the entry's key
    changes, none when a keys-only entry keeps its key), doubled in a transaction; a read unit
    per 4 KB, half for an eventually consistent read. Worked out from the items before and after
    each write, read aside without being counted."""
    tally: defaultdict[str, float] = defaultdict(float)
    inner = botocore.client.BaseClient._make_api_call
    schemas: dict[str, Any] = {}

    def schema(client: Any, table: str) -> Any:
        if table not in schemas:
            schemas[table] = inner(client, "DescribeTable", {"TableName": table})["Table"]
        return schemas[table]

    def image(client: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        found = inner(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        item: dict[str, Any] | None = found.get("Item")
        return item

    def key_of(table_schema: Any, item: dict[str, Any]) -> dict[str, Any]:
        return {k["AttributeName"]: item[k["AttributeName"]] for k in table_schema["KeySchema"]}

    def write_units(table_schema: Any, before: Any, after: Any) -> int:
        kb = -(-max(item_bytes(before or {}), item_bytes(after or {}), 1) // 1024)
        units = kb
        for index in table_schema.get("GlobalSecondaryIndexes", []):
            names = [k["AttributeName"] for k in index["KeySchema"]]
            had = before is not None and all(n in before for n in names)
            has = after is not None and all(n in after for n in names)
            moved = had and has and any(before[n] != after[n] for n in names)
            keys_only = index["Projection"]["ProjectionType"] == "KEYS_ONLY"
            changed = before != after and not keys_only
            units += (1 if had and (moved or not has) else 0) + (
                1 if has and (moved or not had or changed) else 0
            )
        return units

    def counting(self: Any, operation: str, params: Any) -> Any:
        writes: list[tuple[str, dict[str, Any], int]] = []  # table, key, factor
        if operation in ("PutItem", "DeleteItem", "UpdateItem"):
            table = params["TableName"]
            key = params.get("Key") or key_of(schema(self, table), params["Item"])
            writes.append((table, key, 1))
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        key = key_of(schema(self, table), request["PutRequest"]["Item"])
                    else:
                        key = request["DeleteRequest"]["Key"]
                    writes.append((table, key, 1))
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                for kind, action in entry.items():
                    if kind != "ConditionCheck":
                        key = action.get("Key") or key_of(
                            schema(self, action["TableName"]), action["Item"]
                        )
                        writes.append((action["TableName"], key, 2))
        befores = [image(self, table, key) for table, key, _ in writes]
        result = inner(self, operation, params)
        for (table, key, factor), before in zip(writes, befores, strict=True):
            units = factor * write_units(schema(self, table), before, image(self, table, key))
            tally[f"write {table}"] += units
            tally["write"] += units
        read = _read_units(operation, params, result)
        for table, read_units in read.items():
            tally[f"read {table}"] += read_units
            tally["read"] += read_units
        return result

    with aws_calls_through(counting):
        yield tally


def _read_units(operation: str, params: Any, result: Any) -> dict[str, float]:
    def units(items: list[dict[str, Any]], consistent: bool, *, each: bool) -> float:
        sizes = [item_bytes(item) for item in items]
        blocks = (
            sum(-(-max(s, 1) // 4096) for s in sizes) if each else -(-max(sum(sizes), 1) // 4096)
        )
        return blocks * (1.0 if consistent else 0.5)

    if operation == "GetItem":
        found = [result["Item"]] if result.get("Item") else []
        return {params["TableName"]: units(found, bool(params.get("ConsistentRead")), each=True)}
    if operation in ("Query", "Scan"):
        return {
            params["TableName"]: units(
                result.get("Items", []), bool(params.get("ConsistentRead")), each=False
            )
        }
    if operation == "BatchGetItem":
        return {
            table: units(
                items, bool(params["RequestItems"][table].get("ConsistentRead")), each=True
            )
            for table, items in result.get("Responses", {}).items()
        }
    return {}
