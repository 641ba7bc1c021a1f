"""What a newcomer does after `make run`: paste a printed curl line and get an answer."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def test_the_printed_token_answers_get_me(local_stack: RunningStack) -> None:
    token = local_stack.token_of("edv-admin-eva")
    answer = requests.get(
        f"{local_stack.base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200
    me = answer.json()
    assert me["sub"] == "edv-admin-eva"
    assert [org["name"] for org in me["organisations"]] == ["Zonnig Advies BV"]


def test_errors_over_http_are_problem_json(local_stack: RunningStack) -> None:
    answer = requests.get(f"{local_stack.base_url}/v1/me", timeout=10)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"]
