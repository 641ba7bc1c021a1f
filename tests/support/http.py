"""A thin JSON layer over chalice's test client, and the identities tests act as."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from tests.support import privacy


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str | None:
        """The problem's stable code, for error answers."""
        if self.headers.get("content-type", "").startswith("application/problem+json"):
            return str(self.json["code"])
        return None


class Http:
    def __init__(self, client: Client) -> None:
        self.client = client

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        payload = b""
        if json_body is not None:
            payload = json.dumps(json_body).encode()
            sent.setdefault("Content-Type", "application/json")
        elif body is not None:
            payload = body
        privacy.remember_body(payload)
        response = self.client.http.request(method, path, headers=sent, body=payload)
        lowered = {key.lower(): value for key, value in response.headers.items()}
        raw = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        return Answer(response.status_code, lowered, raw)

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Answer:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Answer:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Answer:
        return self.request("DELETE", path, **kwargs)

    # Identities -----------------------------------------------------------------------------

    def token(self, sub: str, name: str = "Test Person", roles: list[str] | None = None) -> str:
        answer = self.post(
            "/v1/dev/token", json_body={"sub": sub, "name": name, "roles": roles or []}
        )
        assert answer.status == 200, answer.body
        return str(answer.json["access_token"])

    def link(
        self, enterprise_number: str, sub: str, role: str = "admin", name: str = "Org"
    ) -> None:
        answer = self.put(
            f"/v1/dev/kbo/{enterprise_number}/links/{sub}",
            json_body={"role": role, "organisation_name": name},
        )
        assert answer.status in (200, 201), answer.body
