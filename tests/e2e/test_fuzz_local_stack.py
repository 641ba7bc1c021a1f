"""schemathesis against the running local stack (what `make run` starts), over HTTP, with its
response checks and the unsupported-method probe: no answer is a server error, every answer is
what the served OpenAPI document promises, and a method an operation does not have gets 405.
A few examples per operation here (FUZZ_STACK_EXAMPLES); the in-process fuzzing in tests/fuzz
goes deeper."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import missing_required_header, unsupported_method

from tests.e2e.conftest import RunningStack
from tests.support.fuzzing import RESPONSE_CHECKS

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_STACK_EXAMPLES", "4"))
# Every check that judges one answer. positive_data_acceptance is left out: valid data about
# things that do not exist (a random EAN) is rightly a 404. The stateful ones (use_after_free,
# ensure_resource_availability, object_level_authorization) need linked operations and are
# covered by the authorisation matrix.
CHECKS = [*RESPONSE_CHECKS, missing_required_header, unsupported_method]


def credentials(stack: RunningStack, path: str) -> dict[str, str]:
    if path.startswith(("/esco-live/", "/esco-sbx/")):
        client_id, secret, key = stack.machine_client()
        token = requests.post(
            f"{stack.base_url}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
            timeout=30,
        ).json()["access_token"]
        return {"Authorization": f"Bearer {token}", "Ocp-Apim-Subscription-Key": key}
    who = (
        "ops-olivia"
        if path.startswith("/v1/ops/")
        else "klant-karel"
        if path.startswith("/v1/me")
        else "edv-admin-eva"
    )
    return {"Authorization": f"Bearer {stack.token_of(who)}"}


def fuzz_operation(operation: Any, base_url: str, headers: dict[str, str]) -> tuple[int, list[str]]:
    """EXAMPLES generated cases of one operation: how many were sent, and what failed."""
    sent, failures = 0, []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        nonlocal sent
        sent += 1
        # One call at a time, as one Lambda instance: a call may wait for the one before it.
        case.call_and_validate(
            base_url=base_url,
            headers={**(case.headers or {}), **headers},
            checks=CHECKS,
            timeout=25,
        )

    try:
        fuzz()
    except Exception as failure:
        failures.append(f"{operation.method.upper()} {operation.path}: {str(failure)[:400]}")
    return sent, failures


def test_the_running_stack_answers_as_its_document_says(local_stack: RunningStack) -> None:
    schema = schemathesis.openapi.from_url(f"{local_stack.base_url}/openapi.json")
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.path.startswith("/v1/dev/"):
            continue  # the local issuer's own endpoints: not part of any deployed stage
        count, failed = fuzz_operation(
            operation, local_stack.base_url, credentials(local_stack, operation.path)
        )
        sent += count
        failures += failed
    print(f"schemathesis sent {sent} cases to the running stack")
    assert failures == [], "\n".join(failures)
    assert sent >= 100
