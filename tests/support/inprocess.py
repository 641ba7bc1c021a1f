"""A `requests` transport into the app in this process: standard HTTP libraries (MSAL, Authlib)
talk to our endpoints exactly as over the network, with no server to start."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.support.http import Http


class AppAdapter(BaseAdapter):
    def __init__(self, http: Http) -> None:
        super().__init__()
        self.http = http

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.http.request(
            request.method or "GET", path, body=body or b"", headers=dict(request.headers)
        )
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def session_into(http: Http) -> requests.Session:
    session = requests.Session()
    adapter = AppAdapter(http)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
