"""The local stack's API as a WSGI application, for tools that drive an app in-process (the
schemathesis fuzzer). The same LocalStack.api the HTTP server uses answers every request."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from .server import LocalStack

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = environ[key]
    return headers


def wsgi_app(stack: LocalStack) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        # PATH_INFO is decoded: an encoded "?" or "/" in a path parameter would change the route.
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not path:
            path = quote(environ.get("PATH_INFO") or "/")
            if environ.get("QUERY_STRING"):
                path = f"{path}?{environ['QUERY_STRING']}"
        status, headers, payload = stack.api(
            environ["REQUEST_METHOD"], path, _headers(environ), body
        )
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        start_response(
            f"{status} {reason}", [*headers.items(), ("Content-Length", str(len(payload)))]
        )
        return [payload]

    return app
