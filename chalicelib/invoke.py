"""Calling another of our Lambda functions and waiting for its answer.

The API hands two kinds of work to functions sized for them (infrastructure/bundles.py): drawing
PNG and PDF (`render`: matplotlib, fpdf2) and parsing readings (`ingest`: numpy). In AWS the
function named by the variable {NAME}_FUNCTION is invoked synchronously. Elsewhere (the tests, the
local stack) there is no Lambda service: the same handler runs in this process, its event and
answer passed through JSON and held to Lambda's limits, so what would fail in AWS fails here too.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson

from .config import settings
from .limits import ASYNC_EVENT_BYTES, INVOKE_PAYLOAD_BYTES
from .observability import logger

# The handler each function runs (infrastructure/functions.py gives AWS the same names).
HANDLERS = {
    "render": "functions.render.handler",
    "ingest": "functions.ingest.handler",
    "export": "functions.export.handler",
}


# Where a local stack takes asynchronous invocations instead of running them at once
# (devstack runs them in slices between API calls); None: run them here and now.
LOCAL_ASYNC: list[Callable[[str, dict[str, Any]], None]] = []


class InvokeError(RuntimeError):
    """The function failed, or its event or answer passed Lambda's size limit: our fault, a 500."""


def function_variable(function: str) -> str:
    return f"{function.upper()}_FUNCTION"


def call(function: str, event: dict[str, Any]) -> dict[str, Any]:
    request = orjson.dumps(event)
    if len(request) > INVOKE_PAYLOAD_BYTES:
        raise InvokeError(f"{function}: an event of {len(request):,} bytes is over Lambda's limit")
    name = os.environ.get(function_variable(function))
    answer = _invoke(name, request) if name else _in_process(function, request)
    if len(answer) > INVOKE_PAYLOAD_BYTES:
        raise InvokeError(f"{function}: an answer of {len(answer):,} bytes is over Lambda's limit")
    return dict(orjson.loads(answer))


def start(function: str, event: dict[str, Any]) -> None:
    """Start a function and not wait (an asynchronous invocation: Lambda queues it, retries it
    twice on failure). Locally it runs here and now, before the caller goes on (or, in the local
    stack, soon after: LOCAL_ASYNC); a failure is logged, as Lambda would, and the work stays
    where it stopped."""
    request = orjson.dumps(event)
    if len(request) > ASYNC_EVENT_BYTES:
        raise InvokeError(f"{function}: an event of {len(request):,} bytes is over Lambda's limit")
    name = os.environ.get(function_variable(function))
    if name:
        _lambda().invoke(FunctionName=name, InvocationType="Event", Payload=request)
        return
    if LOCAL_ASYNC:
        LOCAL_ASYNC[0](function, orjson.loads(request))
        return
    with contextlib.suppress(InvokeError):  # logged; the job says how far it got
        _in_process(function, request)


def _in_process(function: str, request: bytes, context: Any = None) -> bytes:
    module, attribute = HANDLERS[function].rsplit(".", 1)
    handler = getattr(importlib.import_module(module), attribute)
    try:
        return orjson.dumps(handler(orjson.loads(request), context))
    except Exception as error:  # as Lambda reports an unhandled error: the caller sees a failure
        logger.exception("invoked function failed", extra={"function": function})
        raise InvokeError(f"{function} failed: {type(error).__name__}") from error


def run_here(function: str, event: dict[str, Any], seconds: float) -> None:
    """Run an asynchronous invocation here, as Lambda would with `seconds` left (the local
    stack's slices); a failure is logged."""
    with contextlib.suppress(InvokeError):
        _in_process(function, orjson.dumps(event), _Context(seconds))


class _Context:
    """The part of Lambda's context our handlers read."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


def _invoke(name: str, request: bytes) -> bytes:
    response = _lambda().invoke(
        FunctionName=name, InvocationType="RequestResponse", Payload=request
    )
    answer = bytes(response["Payload"].read())
    if response.get("FunctionError"):
        logger.error("invoked function failed", extra={"function": name, "error": answer[:2000]})
        raise InvokeError(f"{name} failed")
    return answer


@cache
def _lambda() -> Any:
    import boto3
    from botocore.config import Config

    # The API waits at most API Gateway's 29 s; a throttle is retried once, then is a 503.
    config = Config(
        read_timeout=28, connect_timeout=2, retries={"mode": "standard", "max_attempts": 2}
    )
    return boto3.client("lambda", region_name=settings().region, config=config)
