"""Builds the Chalice app: blueprints, fallbacks that answer in problem+json, and the middleware
that gives every response an x-request-id and writes one access line per request."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from chalice.app import CaseInsensitiveMapping, Chalice, Request, Response

from ..config import stage
from ..limits import fits_lambda_request, fits_lambda_response
from ..observability import logger, metrics
from ..serving.problems import PROBLEM_MEDIA_TYPE, problem_response
from ..serving.routing import Api, Operation
from . import (
    access_log,
    access_points,
    api_clients,
    dev,
    directory,
    esco,
    esco_sandbox,
    exports,
    mandates,
    meta,
    meterdata,
    oauth,
    onboarding,
    ops,
    purge_duties,
    usage,
    webhooks,
)

APP_NAME = "edv-platform"
# Every body goes through API Gateway as base64 (binaryMediaTypes */*): PDF, PNG and gzip-encoded
# JSON alike. Chalice then accepts any Accept header for any content type.
BINARY_TYPES = ["*/*"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FALLBACK_DEPTH = 8  # unknown paths up to this many segments get a problem+json 404
# API Gateway wants sibling path variables to share one name; the Entra-shaped token routes put
# /{tenant} at the root, so the catch-alls' first segment is called that too.
ROOT_VARIABLE = "tenant"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Chalice's own error answers (before or around our views), rewritten as problem+json.
CHALICE_ERRORS = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequest": "not_acceptable",
    "InternalServerError": "internal_error",
}


# What every stage routes; the meta operations are added per app by `_described`.
FEATURE_APIS = (
    directory.api,
    onboarding.api,
    api_clients.api,
    access_points.api,
    mandates.api,
    access_log.api,
    meterdata.api,
    exports.api,
    purge_duties.api,
    ops.api,
    oauth.api,
    esco.api,
    esco_sandbox.api,
    usage.api,
    webhooks.api,
)


def _described(apis: list[Api]) -> list[Api]:
    """`apis` and, first, the meta operations that describe them (and themselves)."""
    operations: list[Operation] = []
    everything = [meta.create(lambda: operations), *apis]
    operations.extend(op for api in everything for op in api.operations)
    return everything


def production_apis() -> list[Api]:
    return _described(list(FEATURE_APIS))


def production_operations() -> list[Operation]:
    return [op for api in production_apis() for op in api.operations]


def create_app() -> Chalice:
    # Chalice's logger has our service's name; Powertools owns it and writes JSON lines.
    app = Chalice(app_name=APP_NAME, configure_logs=False)
    app.api.binary_types = list(BINARY_TYPES)
    apis = _described([*FEATURE_APIS, *([dev.api] if stage() == "local" else [])])
    for api in apis:
        app.register_blueprint(api.blueprint)
    allowed = _add_method_fallbacks(app)
    _add_not_found_fallbacks(app)
    app.register_middleware(_request_middleware, "http")
    app.register_middleware(_allow_header(allowed), "http")
    return app


def _method_not_allowed(allowed: list[str]) -> Callable[..., Response]:
    def method_not_allowed(**_: str) -> Response:
        return problem_response(
            "method_not_allowed",
            "This resource does not support that method.",
            headers={"Allow": ", ".join(allowed)},
        )

    return method_not_allowed


def _add_method_fallbacks(app: Chalice) -> dict[str, str]:
    """A 405 with the methods a path has, for each method it lacks; the Allow header of each
    path, for methods no route names at all (QUERY, …), which Chalice refuses itself."""
    allow: dict[str, str] = {}
    for path, entries in list(app.routes.items()):
        allowed = sorted(entries)
        allow[path] = ", ".join(allowed)
        missing = [method for method in METHODS if method not in entries]
        if missing:
            app.route(path, methods=missing, content_types=["*/*"])(_method_not_allowed(allowed))
    return allow


def _allow_header(allow: dict[str, str]) -> Callable[..., Response]:
    """Chalice's own 405 for a method outside every route lists our fallbacks as allowed: say
    instead what the path really takes, as API Gateway and our other 405s do."""

    def middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        path = (event.context or {}).get("resourcePath")
        if response.status_code == 405 and path in allow:
            response.headers["Allow"] = allow[path]
        return response

    return middleware


def not_found(**_: str) -> Response:
    return problem_response("not_found", "There is no such resource.")


def _add_not_found_fallbacks(app: Chalice) -> None:
    """Catch-all paths of every depth. Specific routes sort before them, so they only catch what
    nothing else does (chalice's local matcher and API Gateway both prefer literal segments)."""
    for depth in range(1, FALLBACK_DEPTH + 1):
        names = [ROOT_VARIABLE, *(f"unknown{index}" for index in range(1, depth))]
        path = "".join(f"/{{{name}}}" for name in names)
        app.route(path, methods=list(METHODS), content_types=["*/*"])(not_found)


def is_fallback(path: str) -> bool:
    return all(segment.startswith("{") for segment in path.strip("/").split("/"))


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def _as_problem(response: Response) -> Response:
    """Chalice answers some errors itself ({"Code", "Message"}); give them our shape."""
    if response.status_code < 400:
        return response
    headers = {key.lower(): str(value) for key, value in response.headers.items()}
    if headers.get("content-type", "").startswith(PROBLEM_MEDIA_TYPE):
        return response
    body: Any = response.body
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            body = {}
    code = CHALICE_ERRORS.get(body.get("Code", "") if isinstance(body, dict) else "", "")
    if not code:
        return response
    extra = {"Allow": headers["allow"]} if "allow" in headers else None
    return problem_response(code, str(body.get("Message", "")), headers=extra)


def _as_bytes(body: Any) -> bytes:
    """With */* as binary type, chalice base64-encodes every body, which must then be bytes."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, separators=(",", ":")).encode()


def _request_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    request_id = _request_id(event)
    if "accept" not in event.headers:
        # No Accept header means any media type (RFC 9110); chalice wants one to send bodies as
        # base64, which API Gateway (binaryMediaTypes */*) decodes whatever the request said.
        event.headers = CaseInsensitiveMapping({**dict(event.headers), "accept": "*/*"})
    logger.append_keys(request_id=request_id)
    started = time.perf_counter()
    try:
        raw = event.raw_body
        if not fits_lambda_request(len(raw) if isinstance(raw, bytes) else len(raw.encode())):
            # API Gateway and Lambda refuse this before any code runs; say so the same way here.
            response = problem_response(
                "payload_too_large", "The request is larger than the platform accepts."
            )
        else:
            response = _as_problem(get_response(event))
    except Exception:
        logger.exception("unhandled error")
        response = problem_response("internal_error", "Something went wrong on our side.")
    response.headers["x-request-id"] = request_id
    response.body = _as_bytes(response.body)
    if not fits_lambda_response(len(response.body)):
        # Lambda would fail this answer and API Gateway say 502: do it ourselves, with a reason.
        logger.error("answer too large for Lambda", extra={"bytes": len(response.body)})
        response = problem_response(
            "response_too_large",
            "The answer is larger than the platform can return: ask for less, or accept gzip.",
        )
        response.headers["x-request-id"] = request_id
        response.body = _as_bytes(response.body)
    context = event.context or {}
    # Route templates only: concrete paths carry EANs and enterprise numbers.
    logger.info(
        "request",
        extra={
            "method": event.method,
            "route": context.get("resourcePath", ""),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    logger.remove_keys(["request_id"])
    metrics.flush()
    return response
