"""The machine API's token service: client credentials with a secret or a signed assertion, and
everything that must be refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.domain.api_clients import ApiClient, hash_secret, hash_subscription_key
from chalicelib.domain.vocabulary import AuthMethod, ClientStatus
from chalicelib.store import api_clients
from tests.support.http import Answer, Http
from tests.support.machine import ASSERTION_TYPE, certificate_client, secret_client
from tests.support.world import World

EDV = "0123456749"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    return world


def refused(answer: Answer, error: str = "invalid_client", status: int = 401) -> None:
    assert answer.status == status, answer.body
    assert answer.json["error"] == error
    assert answer.json["code"] == error
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_secret_gets_a_short_lived_rs256_token(http: Http, world: World) -> None:
    client = secret_client(http, world.edv)
    answer = client.token_request(
        grant_type="client_credentials",
        client_id=client.client_id,
        client_secret=client.secret or "",
        scope="edv/.default",
    )
    assert answer.status == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        900,
        "edv/.default",
    )
    header = jwt.get_unverified_header(body["access_token"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert (claims["sub"], claims["edv"]) == (client.client_id, EDV)
    assert claims["exp"] - claims["iat"] == 900
    keys = http.get("/oauth2/jwks").json["keys"]
    assert [key["kid"] for key in keys] == [header["kid"]]


def test_a_wrong_secret_or_unknown_client_is_refused_alike(http: Http, world: World) -> None:
    client = secret_client(http, world.edv)
    wrong = client.token_request(
        grant_type="client_credentials", client_id=client.client_id, client_secret="nope"
    )
    unknown = client.token_request(
        grant_type="client_credentials", client_id="edv-nobody", client_secret="nope"
    )
    refused(wrong)
    refused(unknown)
    assert wrong.json["error_description"] == unknown.json["error_description"]
    refused(
        client.token_request(grant_type="client_credentials", client_id=client.client_id),
        "invalid_client",
    )
    refused(
        client.token_request(grant_type="password", client_id=client.client_id, client_secret="x"),
        "unsupported_grant_type",
        400,
    )


def test_a_certificate_client_signs_an_assertion(http: Http, world: World) -> None:
    client = certificate_client(http, world.edv)
    assert client.token()
    # As clients written for Azure AD do: a client_id in the form, the audience is checked.
    answer = client.token_request(
        grant_type="client_credentials",
        client_id=client.client_id,
        client_assertion_type=ASSERTION_TYPE,
        client_assertion=client.assertion(aud="https://elsewhere.example/token"),
    )
    refused(answer)
    assert "audience" in answer.json["error_description"]


@pytest.mark.parametrize(
    "kind",
    [
        "unregistered key",
        "replayed jti",
        "expired",
        "too long-lived",
        "subject is another client",
        "no jti",
        "HS256",
        "wrong assertion type",
    ],
)
def test_bad_assertions_are_refused(http: Http, world: World, kind: str) -> None:
    client = certificate_client(http, world.edv)
    now = int(time.time())
    form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE}
    if kind == "unregistered key":
        client.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        form["client_assertion"] = client.assertion()
    elif kind == "replayed jti":
        assertion = client.assertion()
        assert client.token_request(**form, client_assertion=assertion).status == 200
        form["client_assertion"] = assertion
    elif kind == "expired":
        form["client_assertion"] = client.assertion(nbf=now - 1200, exp=now - 600)
    elif kind == "too long-lived":
        form["client_assertion"] = client.assertion(exp=now + 86400)
    elif kind == "subject is another client":
        form["client_assertion"] = client.assertion(sub="edv-someone-else")
    elif kind == "no jti":
        form["client_assertion"] = client.assertion(jti=None)
    elif kind == "HS256":
        form["client_assertion"] = jwt.encode(
            {"iss": client.client_id, "sub": client.client_id}, "k" * 32, algorithm="HS256"
        )
    else:
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
        form["client_assertion"] = client.assertion()
    answer = client.token_request(**form)
    if kind == "wrong assertion type":
        refused(answer, "invalid_request", 400)
    else:
        refused(answer)


def test_a_revoked_client_and_a_portal_only_edv_get_no_token(http: Http, world: World) -> None:
    edv = world.edv
    client = secret_client(http, edv)
    token = client.token()
    http.delete(f"/v1/organisations/{EDV}/api-clients/{client.client_id}", token=edv.admin)
    refused(
        client.token_request(
            grant_type="client_credentials",
            client_id=client.client_id,
            client_secret=client.secret or "",
        )
    )
    assert client.get("/mandate", token=token).status == 401  # its live token dies with it

    portal = world.active("0987654394", "Portaal Enkel", channel="portal")
    secret = "a-secret-of-a-client-that-should-not-exist"
    api_clients.create(
        ApiClient(
            client_id="edv-portal-only",
            enterprise_number=portal.enterprise_number,
            name="legacy",
            auth_method=AuthMethod.CLIENT_SECRET,
            status=ClientStatus.ACTIVE,
            created_at=datetime.now(UTC),
            created_by="x",
            secret_hash=hash_secret(secret),
            subscription_key_hash=hash_subscription_key("k"),
        )
    )
    answer = client.token_request(
        grant_type="client_credentials", client_id="edv-portal-only", client_secret=secret
    )
    refused(answer)
    assert "portal only" in answer.json["error_description"]


def test_a_terminated_edv_gets_no_token(http: Http, world: World) -> None:
    edv = world.edv
    client = secret_client(http, edv)
    http.post(f"/v1/organisations/{EDV}/edv-application/terminate", token=edv.admin)
    refused(
        client.token_request(
            grant_type="client_credentials",
            client_id=client.client_id,
            client_secret=client.secret or "",
        )
    )
