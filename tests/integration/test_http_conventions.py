"""Conventions every answer follows: problem+json errors, x-request-id, structured logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from chalicelib.observability import logger
from tests.support.http import Http


def test_an_unknown_route_is_a_problem_404(http: Http) -> None:
    for path in ("/nope", "/v1/nope", "/v1/organisations/0123456749/nope/deeper"):
        answer = http.get(path)
        assert answer.status == 404, path
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json["code"] == "not_found"
        assert answer.json["status"] == 404
        assert set(answer.json) >= {"type", "title", "status", "detail", "code"}


def test_a_wrong_method_is_a_problem_405_with_allow(http: Http) -> None:
    answer = http.request("PATCH", "/v1/me")
    assert answer.status == 405
    assert answer.code == "method_not_allowed"
    assert answer.headers["allow"] == "GET"


def test_a_body_of_the_wrong_media_type_is_a_problem_415(http: Http) -> None:
    answer = http.post(
        "/v1/dev/token",
        body=b"sub=alice",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 415
    assert answer.code == "unsupported_media_type"


def test_malformed_json_is_a_problem_400_and_a_missing_body_too(http: Http) -> None:
    broken = http.post("/v1/dev/token", body=b"{", headers={"Content-Type": "application/json"})
    assert broken.status == 400
    assert broken.code == "bad_request"
    empty = http.post("/v1/dev/token", headers={"Content-Type": "application/json"})
    assert empty.code == "bad_request"


def test_unknown_fields_are_refused(http: Http) -> None:
    answer = http.post("/v1/dev/token", json_body={"sub": "a", "name": "A", "admin": True})
    assert answer.status == 422
    assert answer.json["errors"] == [
        {"field": "admin", "message": "Extra inputs are not permitted"}
    ]


def test_a_body_over_the_limit_is_a_problem_413(http: Http) -> None:
    huge = json.dumps({"sub": "a" * (1024 * 1024 + 10), "name": "A"}).encode()
    answer = http.post("/v1/dev/token", body=huge, headers={"Content-Type": "application/json"})
    assert answer.status == 413
    assert answer.code == "payload_too_large"


def test_every_answer_carries_a_request_id_and_echoes_a_given_one(http: Http) -> None:
    generated = {http.get("/openapi.json").headers["x-request-id"] for _ in range(2)}
    assert len(generated) == 2
    for answer in (
        http.get("/v1/me", headers={"x-request-id": "trace-123"}),
        http.get("/nope", headers={"x-request-id": "trace-123"}),
        http.request("PATCH", "/v1/me", headers={"x-request-id": "trace-123"}),
    ):
        assert answer.headers["x-request-id"] == "trace-123"
    # A value that could smuggle something into logs is replaced, not echoed.
    assert (
        http.get("/v1/me", headers={"x-request-id": "a b\tc"}).headers["x-request-id"] != "a b\tc"
    )


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    level = logger.log_level
    logger.setLevel("INFO")
    try:
        yield stream
    finally:
        logger.handlers.remove(handler)
        logger.setLevel(level)


def test_logs_are_json_with_the_request_id_and_no_personal_data(
    http: Http, log_lines: io.StringIO
) -> None:
    token = http.token("sub-of-jan", name="Jan Janssens")
    http.link("0123456749", "sub-of-jan", "admin", "Acme")
    http.get(
        "/v1/organisations/0123456749/members", token=token, headers={"x-request-id": "req-42"}
    )
    records = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    mine = [r for r in records if r.get("request_id") == "req-42"]
    assert mine, records
    assert mine[-1]["route"] == "/v1/organisations/{en}/members"
    assert mine[-1]["status"] == 200
    text = log_lines.getvalue()
    for personal in ("Jan Janssens", "sub-of-jan", "0123456749"):
        assert personal not in text
