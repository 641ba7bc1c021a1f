"""Bearer tokens: RS256 from the configured issuer for this audience, nothing else (docs/api.md)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from tests.support import tokens
from tests.support.http import Http

BAD_TOKENS: dict[str, Callable[[], str]] = {
    "forged signature": tokens.forged,
    "expired": lambda: tokens.signed_by_dev_issuer(
        iat=int(time.time()) - 7200, exp=int(time.time()) - 3600
    ),
    "wrong issuer": lambda: tokens.signed_by_dev_issuer(iss="https://evil.example/idp"),
    "wrong audience": lambda: tokens.signed_by_dev_issuer(aud="another-service"),
    "alg none": tokens.alg_none,
    "HS256 keyed with the public key": tokens.hs256_with_public_key,
    "unknown kid": tokens.unknown_kid,
    "no expiry": lambda: tokens.signed_by_dev_issuer(exp=None),
    "no subject": lambda: tokens.signed_by_dev_issuer(sub=None),
    "not a JWT": lambda: "not-a-jwt",
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_bad_tokens_get_401_problem_json(http: Http, kind: str) -> None:
    answer = http.get("/v1/me", token=BAD_TOKENS[kind]())
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.code == "unauthenticated"
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_no_token_is_401(http: Http) -> None:
    answer = http.get("/v1/me")
    assert answer.status == 401
    assert answer.code == "unauthenticated"


def test_another_scheme_is_401(http: Http) -> None:
    answer = http.get("/v1/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert answer.code == "unauthenticated"


def test_a_good_token_names_the_caller_and_their_roles(http: Http) -> None:
    answer = http.get("/v1/me", token=tokens.signed_by_dev_issuer(sub="op-1", roles=["ops"]))
    assert answer.status == 200
    assert answer.json["sub"] == "op-1"
    assert answer.json["roles"] == ["ops"]


def test_the_dev_token_endpoint_issues_working_tokens(http: Http) -> None:
    issued = http.post("/v1/dev/token", json_body={"sub": "alice", "name": "Alice"})
    assert issued.status == 200
    assert issued.json["token_type"] == "Bearer"
    assert issued.json["expires_in"] > 0
    me = http.get("/v1/me", token=issued.json["access_token"])
    assert me.json == {"sub": "alice", "name": "Alice", "roles": [], "organisations": []}


def test_the_dev_token_endpoint_validates_its_input(http: Http) -> None:
    answer = http.post("/v1/dev/token", json_body={"sub": "", "name": "x", "roles": ["root"]})
    assert answer.status == 422
    assert answer.code == "validation_error"
    assert {error["field"] for error in answer.json["errors"]} == {"sub", "roles.0"}
