"""The OpenAPI 3.1 document describes every route, validates, and is kept in the repo."""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from chalicelib.api.application import is_fallback, production_operations
from chalicelib.serving.openapi import build_document, dumps
from tests.support.http import Http

ROOT = Path(__file__).resolve().parents[2]


def test_the_served_document_is_valid_openapi_3_1(http: Http) -> None:
    answer = http.get("/openapi.json")
    assert answer.status == 200
    document = answer.json
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_described(http: Http) -> None:
    from app import app

    described = {
        (path, method.upper())
        for path, operations in http.get("/openapi.json").json["paths"].items()
        for method in operations
    }
    routed = {
        (path, method)
        for path, entries in app.routes.items()
        if not is_fallback(path)
        for method, entry in entries.items()
        if entry.view_name != "method_not_allowed"
    }
    assert routed
    assert routed == described


def test_error_answers_are_described_with_their_codes(http: Http) -> None:
    members = http.get("/openapi.json").json["paths"]["/v1/organisations/{en}/members"]["get"]
    assert "`not_a_member`" in members["responses"]["403"]["description"]
    assert "`invalid_enterprise_number`" in members["responses"]["422"]["description"]
    assert members["responses"]["401"]["content"]["application/problem+json"]


def test_the_committed_document_is_current() -> None:
    committed = (ROOT / "openapi.json").read_text()
    assert committed == dumps(build_document(production_operations())), (
        "openapi.json is stale: run `make openapi`"
    )
    assert "/v1/dev/token" not in json.loads(committed)["paths"]
