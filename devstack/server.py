"""One HTTP server on 127.0.0.1 for the local stack: the API (through chalice's local gateway, as
API Gateway would call it) and the static pages from the pages bucket, under the same paths as in
production, so pages and API share an origin locally as they do behind CloudFront."""

from __future__ import annotations

import base64
import os
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.cli.factory import CLIFactory
from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.edge import API_HEADERS, is_api_path, page_headers

ROOT = Path(__file__).resolve().parents[1]


@cache
def _page_headers() -> dict[str, str]:
    """The pages log in against the local issuer, on this origin; the signed contract goes to
    the embedded S3 (moto's server port), as it goes to the contracts bucket in AWS."""
    storage = os.environ.get("AWS_ENDPOINT_URL_S3")
    return page_headers(None, *([storage] if storage else []))


CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
}


def page_key(path: str) -> str:
    """/verbruik/x/stappenplan -> verbruik/x/stappenplan/index.html, as CloudFront rewrites it."""
    key = unquote(path).lstrip("/")
    if not key or key.endswith("/"):
        return key + "index.html"
    if "." not in key.rsplit("/", 1)[-1]:
        return key + "/index.html"
    return key


class LocalStack:
    def __init__(self, app: Any, pages_bucket: str, s3: Any) -> None:
        config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="local")
        self.gateway = LocalGateway(app, config)
        self.pages_bucket = pages_bucket
        self.s3 = s3
        # Chalice keeps the current request on the app object: one API call at a time, as one
        # Lambda instance would. Pages are served concurrently.
        self.api_lock = threading.Lock()
        self.last_api_call = 0.0  # time.monotonic() of the last API call's end

    def api(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self.api_lock:
            try:
                response = self.gateway.handle_request(method, path, headers, body)
            except LocalGatewayException as error:
                return error.CODE, dict(error.headers), error.body or b""
            finally:
                self.last_api_call = time.monotonic()
        raw = response.get("body") or b""
        if response.get("isBase64Encoded"):
            raw = base64.b64decode(raw)
        elif isinstance(raw, str):
            raw = raw.encode()
        headers_out = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers_out[name] = ", ".join(values)
        # As CloudFront's response-headers policy adds them (infrastructure/pages.py).
        return response["statusCode"], {**API_HEADERS, **headers_out}, raw

    def page(self, path: str) -> tuple[int, dict[str, str], bytes]:
        key = page_key(path)
        try:
            found = self.s3.get_object(Bucket=self.pages_bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            body = b"<!doctype html><title>Niet gevonden</title><h1>Deze pagina bestaat niet.</h1>"
            return 404, {"Content-Type": "text/html; charset=utf-8", **_page_headers()}, body
        content_type = found.get("ContentType") or CONTENT_TYPES.get(
            Path(key).suffix, "application/octet-stream"
        )
        return (
            200,
            {"Content-Type": content_type, "Cache-Control": "no-cache", **_page_headers()},
            found["Body"].read(),
        )


def make_server(stack: LocalStack, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = urlsplit(self.path).path
            if is_api_path(path) or self.command not in ("GET", "HEAD"):
                headers = dict(self.headers.items())
                status, out_headers, payload = stack.api(self.command, self.path, headers, body)
            else:
                status, out_headers, payload = stack.page(path)
            self.send_response(status)
            for name, value in out_headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        # Every method reaches the app, which answers what it does not route with 405 and an
        # Allow header, as API Gateway does: those named here, and any other (QUERY, …) through
        # __getattr__, where http.server would answer an HTML 501 of its own.
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle  # noqa: N815
        do_TRACE = do_CONNECT = do_PROPFIND = _handle  # noqa: N815

        def __getattr__(self, name: str) -> Any:
            if name.startswith("do_") and name[3:].isalpha():
                return self._handle
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            """The app writes its own structured access lines; stay quiet here."""

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
