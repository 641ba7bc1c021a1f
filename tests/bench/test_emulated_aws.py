"""The benchmarks' moto answers a table query from the queried partition alone (moto itself sorts
the whole table for each query): the answers must be moto's own, page for page."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bench.support import queries_read_one_partition

QUERIES: list[dict[str, Any]] = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p3"}}},
    {
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": {"S": "p7"}, ":a": {"S": "010"}, ":b": {"S": "030"}},
        "ScanIndexForward": False,
    },
    {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p9"}},
        "Limit": 7,
    },
    {
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "g = :g",
        "ExpressionAttributeValues": {":p": {"S": "p1"}, ":g": {"S": "g2"}},
    },
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
    {
        "IndexName": "by_g",
        "KeyConditionExpression": "g = :g",
        "ExpressionAttributeValues": {":g": {"S": "g1"}},
    },
]


def _answers() -> list[list[dict[str, Any]]]:
    client = boto3.client("dynamodb", region_name="eu-west-1")
    client.create_table(
        TableName="t",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "g")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for partition in range(24):
        for sort in range(50):
            item = {"pk": f"p{partition}", "sk": f"{sort:03d}", "g": f"g{sort % 3}"}
            typed = {name: {"S": value} for name, value in item.items()}
            client.put_item(TableName="t", Item={**typed, "v": {"S": "x" * 3000}})
    answers = []
    for query in QUERIES:
        pages, start = [], None
        while True:
            resume: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            page = client.query(TableName="t", **query, **resume)
            page.pop("ResponseMetadata")
            pages.append(page)
            if (start := page.get("LastEvaluatedKey")) is None:
                break
        answers.append(pages)
    return answers


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "bench")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "bench")


def test_a_query_answers_as_moto_does(credentials: None) -> None:
    with mock_aws():
        plain = _answers()
    with mock_aws(), queries_read_one_partition():
        partition = _answers()
    assert [len(pages) for pages in plain] == [1, 1, 8, 1, 1, 2]  # the paging is exercised
    assert partition == plain
