"""A thin JSON layer over chalice's test client, and the identities tests act as."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from chalice.test import Client

from tests.support import privacy
from tests.support.counting import dynamodb_reads, reads_follow_the_answer


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


def listed_rows(answer: Answer) -> int | None:
    """How many rows a list answer returns: a portal page's `items` (a session: its reads), the
    machine API's `data.mandates`; None for an answer that is not a list."""
    if answer.status != 200 or not answer.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return None
    raw = answer.body
    if answer.headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    body = json.loads(raw)
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        # A row that sums up reads (an access-log session) stands for the reads it holds.
        return sum(row.get("reads", 1) if isinstance(row, dict) else 1 for row in body["items"])
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and isinstance(data.get("mandates"), list):
        return len(data["mandates"])
    return None


def _guard_list(path: str, answer: Answer, reads: Counter[str]) -> None:
    """Every list request the suite makes reads about what it returns (as the Scan guard in
    tests/conftest.py, for every test): a list that reads its whole partition to filter it, or
    re-reads earlier pages, fails whatever test made it."""
    rows = listed_rows(answer)
    if rows is not None and not reads_follow_the_answer(reads, rows):
        raise AssertionError(f"GET {path} read {reads['items']} items to return {rows} rows")


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
        with dynamodb_reads() as reads:
            response = self.client.http.request(method, path, headers=sent, body=payload)
        lowered = {key.lower(): value for key, value in response.headers.items()}
        raw = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        answer = Answer(response.status_code, lowered, raw)
        if method == "GET":
            _guard_list(path, answer, reads)
        return answer

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
