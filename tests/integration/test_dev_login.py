"""The local issuer's log-in for the pages: OpenID Connect's authorization code flow with PKCE,
the flow the portal runs against CSAM in production. Local stage only (test_stages.py)."""

from __future__ import annotations

import hashlib
import json
import re
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.support.http import Answer, Http

REDIRECT = "http://127.0.0.1:8000/aanmelden/terug/"
VERIFIER = "a-verifier-of-enough-length-for-pkce-0123456789-abcdefghij"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def challenge(verifier: str) -> str:
    return urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def request_params(**overrides: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": "edv-portal",
        "redirect_uri": REDIRECT,
        "state": "s-123",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
        **overrides,
    }


def authorize(
    http: Http, sub: str = "klant-karel", name: str = "Karel Claes", **overrides: str
) -> Answer:
    form = {**request_params(**overrides), "sub": sub, "name": name}
    return http.post("/v1/dev/authorize", body=urlencode(form).encode(), headers=FORM)


def code_of(answer: Answer) -> str:
    assert answer.status == 303, answer.body
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["s-123"]
    return query["code"][0]


def redeem(http: Http, code: str, verifier: str = VERIFIER, **overrides: str) -> Answer:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": "edv-portal",
        "code_verifier": verifier,
        **overrides,
    }
    return http.post("/v1/dev/oauth/token", body=urlencode(form).encode(), headers=FORM)


def test_the_log_in_page_offers_the_demo_identities(
    http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [{"sub": "klant-greet", "name": "Greet <G>", "description": "gas", "roles": []}]
    monkeypatch.setenv("DEV_IDENTITIES", json.dumps(people))
    answer = http.get(
        f"/v1/dev/authorize?{urlencode(request_params())}", headers={"Accept": "text/html"}
    )
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.body.decode()
    assert "Greet &lt;G&gt;" in page  # escaped
    assert re.search(r'name="code_challenge" value="[\w-]{43}"', page)
    assert f'name="redirect_uri" value="{REDIRECT}"' in page


def test_code_and_verifier_give_a_person_token(http: Http) -> None:
    answer = redeem(http, code_of(authorize(http)))
    assert answer.status == 200, answer.body
    token = answer.json["access_token"]
    me = http.get("/v1/me", token=token).json
    assert (me["sub"], me["name"]) == ("klant-karel", "Karel Claes")


def test_a_code_works_once(http: Http) -> None:
    code = code_of(authorize(http))
    assert redeem(http, code).status == 200
    again = redeem(http, code)
    assert (again.status, again.code) == (400, "invalid_grant")


def test_a_wrong_verifier_is_refused_and_spends_the_code(http: Http) -> None:
    code = code_of(authorize(http))
    wrong = redeem(http, code, verifier="another-verifier-of-enough-length-0123456789-abcdefghij")
    assert (wrong.status, wrong.code) == (400, "invalid_grant")
    assert redeem(http, code).code == "invalid_grant"


def test_the_redirect_uri_must_match_and_stay_on_this_machine(http: Http) -> None:
    code = code_of(authorize(http))
    other = redeem(http, code, redirect_uri="http://127.0.0.1:8000/elders/")
    assert other.code == "invalid_grant"
    abroad = authorize(http, redirect_uri="https://evil.example/terug/")
    assert (abroad.status, abroad.code) == (422, "validation_error")
    assert any(e["field"] == "redirect_uri" for e in abroad.json["errors"])


def test_pkce_is_required(http: Http) -> None:
    plain = authorize(http, code_challenge_method="plain")
    assert (plain.status, plain.code) == (422, "validation_error")
    page = http.get(f"/v1/dev/authorize?{urlencode(request_params(code_challenge=''))}")
    assert (page.status, page.code) == (422, "validation_error")


def test_an_identity_needs_a_name(http: Http) -> None:
    answer = authorize(http, name="  ")
    assert (answer.status, answer.code) == (422, "validation_error")
