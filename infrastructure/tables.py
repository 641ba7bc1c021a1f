"""DynamoDB tables made from the PynamoDB models themselves: one definition of every key and
index, used by the code, by bootstrap() and here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
}


def _key(schema: Mapping[str, Any], key_type: str) -> dynamodb.Attribute | None:
    types = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    for element in schema["key_schema"]:
        if element["KeyType"] == key_type:
            name = element["AttributeName"]
            return dynamodb.Attribute(name=name, type=TYPES[types[name]])
    return None


def table_for(
    scope: Construct, base: str, model: type[Model], name: str, retain: bool
) -> dynamodb.Table:
    schema = model._get_schema()  # the CreateTable request PynamoDB itself would send
    partition_key = _key(schema, "HASH")
    assert partition_key is not None
    ttl = next((n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute)), None)
    table = dynamodb.Table(
        scope,
        f"Table-{base}",  # the same logical id in every stage
        table_name=name,
        partition_key=partition_key,
        sort_key=_key(schema, "RANGE"),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=retain,
        removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        time_to_live_attribute=ttl,
    )
    for index in schema["global_secondary_indexes"]:
        index_schema = {
            **schema,
            "key_schema": index["key_schema"],
            "attribute_definitions": index["attribute_definitions"],
        }
        table.add_global_secondary_index(
            index_name=index["index_name"],
            partition_key=_key(index_schema, "HASH"),
            sort_key=_key(index_schema, "RANGE"),
            projection_type=PROJECTIONS[index["projection"]["ProjectionType"]],
        )
    return table
