"""Calling the rendering and ingest functions (chalicelib/invoke.py): in this process with
Lambda's limits, and in AWS through lambda:Invoke (botocore's Stubber checks the call against the
real Lambda API model)."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from chalicelib import invoke
from chalicelib.limits import INVOKE_PAYLOAD_BYTES


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if event.get("fail"):
        raise KeyError("no such drawing")
    return {"echo": event["text"] * event.get("times", 1)}


@pytest.fixture
def local_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(invoke.HANDLERS, "echo", f"{__name__}.echo")
    monkeypatch.delenv("ECHO_FUNCTION", raising=False)


def test_locally_the_handler_runs_here_through_json(local_echo: None) -> None:
    assert invoke.call("echo", {"text": "ab", "times": 2}) == {"echo": "abab"}


def test_an_event_or_answer_over_lambdas_six_mb_fails_here_as_in_aws(local_echo: None) -> None:
    with pytest.raises(invoke.InvokeError, match="event of"):
        invoke.call("echo", {"text": "x" * INVOKE_PAYLOAD_BYTES})
    with pytest.raises(invoke.InvokeError, match="answer of"):
        invoke.call("echo", {"text": "x" * 1000, "times": INVOKE_PAYLOAD_BYTES // 1000 + 1})


def test_a_failing_function_is_a_failure_to_the_caller(local_echo: None) -> None:
    with pytest.raises(invoke.InvokeError, match="KeyError"):
        invoke.call("echo", {"fail": True})


def _stubbed(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    monkeypatch.setenv("ECHO_FUNCTION", "edv-prod-Render")
    monkeypatch.setitem(invoke.HANDLERS, "echo", "functions.render.handler")
    client = invoke._lambda()
    stubber = Stubber(client)
    monkeypatch.setattr(invoke, "_lambda", lambda: client)
    return stubber


def _payload(document: Any) -> StreamingBody:
    body = orjson.dumps(document)
    return StreamingBody(io.BytesIO(body), len(body))


def test_in_aws_the_named_function_is_invoked_and_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stubber = _stubbed(monkeypatch)
    expected = {
        "FunctionName": "edv-prod-Render",
        "InvocationType": "RequestResponse",
        "Payload": orjson.dumps({"text": "ab"}),
    }
    stubber.add_response(
        "invoke", {"StatusCode": 200, "Payload": _payload({"echo": "ab"})}, expected
    )
    with stubber:
        assert invoke.call("echo", {"text": "ab"}) == {"echo": "ab"}
    stubber.assert_no_pending_responses()


def test_in_aws_a_function_error_is_a_failure_and_a_throttle_is_transient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.aws import is_transient

    stubber = _stubbed(monkeypatch)
    error = {"errorMessage": "boom", "errorType": "KeyError"}
    stubber.add_response(
        "invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _payload(error)}
    )
    stubber.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
    with stubber:
        with pytest.raises(invoke.InvokeError):
            invoke.call("echo", {"text": "ab"})
        with pytest.raises(Exception) as throttled:
            invoke.call("echo", {"text": "ab"})
    assert is_transient(throttled.value)  # the API answers 503 with Retry-After
