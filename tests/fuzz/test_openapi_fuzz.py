"""Fuzzing both faces from the served OpenAPI document with schemathesis.

Every operation gets generated requests, valid and invalid, with the credentials its face expects
(so they reach past authentication) against a world with an active EDV, a mandate and readings.
No answer may be a 5xx, and every answer must match what the document promises: a documented
status, its media type, its headers and its body schema. `make test` runs a bounded, derandomised
budget (FUZZ_EXAMPLES per operation, default 60: about three thousand requests); `make fuzz` runs
longer with fresh randomness.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from moto import mock_aws

from chalicelib.api import dev
from chalicelib.api.application import production_operations
from tests.integration.test_authorisation_matrix import (
    CLIENT,
    CUSTOMER,
    EDV_ADMIN,
    OPERATOR,
    Matrix,
    build_world,
)
from tests.support.fuzzing import RESPONSE_CHECKS

SENT = {"requests": 0}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
CHECKS = RESPONSE_CHECKS


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[Any, Matrix]]:
    with mock_aws():
        from chalice.test import Client

        from app import app
        from chalicelib.local import bootstrap
        from devstack.server import LocalStack
        from devstack.wsgi import wsgi_app
        from tests.support.http import Http

        bootstrap()
        matrix = build_world(Http(Client(app, stage_name="local")))
        stack = LocalStack(app, pages_bucket="", s3=None)
        served = wsgi_app(stack)

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            SENT["requests"] += 1
            return served(environ, start_response)

        yield schemathesis.openapi.from_wsgi("/openapi.json", counted), matrix


def operations() -> list[tuple[str, str]]:
    return [(op.method, op.path) for op in [*production_operations(), *dev.api.operations]]


@pytest.mark.parametrize("route", operations(), ids=lambda route: f"{route[0]} {route[1]}")
def test_no_answer_is_a_server_error_or_breaks_the_document(
    fuzzed: tuple[Any, Matrix], route: tuple[str, str]
) -> None:
    api_schema, matrix = fuzzed
    method, path = route
    operation = api_schema[path][method]
    headers = credentials(matrix, path)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize="FUZZ_EXAMPLES" not in os.environ,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(headers={**(case.headers or {}), **headers}, checks=CHECKS)

    fuzz()


def credentials(matrix: Matrix, path: str) -> dict[str, str]:
    """The caller each face expects: the EDV's API client on the machine API, an operator on
    /v1/ops, the customer on /v1/me and the EDV's administrator elsewhere."""
    if path.startswith("/esco-live/"):
        client = matrix.clients[CLIENT]
        return {
            "Authorization": f"Bearer {matrix.tokens[CLIENT]}",
            "Ocp-Apim-Subscription-Key": client.subscription_key,
        }
    caller = (
        OPERATOR
        if path.startswith("/v1/ops/")
        else CUSTOMER
        if path.startswith("/v1/me")
        else EDV_ADMIN
    )
    return {"Authorization": f"Bearer {matrix.tokens[caller]}"}


def test_the_budget_was_a_few_thousand_requests(fuzzed: tuple[Any, Matrix]) -> None:
    """Runs after the fuzzing above (pytest keeps file order) and says how much was sent."""
    print(f"schemathesis sent {SENT['requests']} requests, {EXAMPLES} examples per operation")
    assert SENT["requests"] >= min(EXAMPLES, 60) * 45
