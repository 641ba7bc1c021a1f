"""API clients (R3): only for an active EDV on the API channel; secrets shown once, kept hashed."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalicelib.domain.api_clients import verify_secret
from chalicelib.store.api_clients import ApiClientItem
from tests.support.certificates import certificate
from tests.support.http import Http
from tests.support.world import World

EN = "0123456749"
OTHER = "0987654394"
CLIENTS = f"/v1/organisations/{EN}/api-clients"


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


def test_a_client_with_a_secret_shows_it_once_and_keeps_only_a_slow_hash(
    http: Http, world: World
) -> None:
    edv = world.active(EN, "Zonnig")
    created = http.post(CLIENTS, token=edv.admin, json_body={"name": "Productie"})
    assert created.status == 201
    body = created.json
    assert body["auth_method"] == "client_secret"
    assert body["status"] == "active"
    secret, subscription_key = body["client_secret"], body["subscription_key"]
    assert len(secret) >= 40 and len(subscription_key) == 64

    stored = ApiClientItem.get(body["client_id"]).attribute_values
    assert secret not in str(stored) and subscription_key not in str(stored)
    assert stored["secret_hash"].startswith("scrypt$16384$")
    assert verify_secret(secret, stored["secret_hash"])
    assert not verify_secret(secret + "x", stored["secret_hash"])

    listed = http.get(CLIENTS, token=edv.admin).json
    assert [c["client_id"] for c in listed["items"]] == [body["client_id"]]
    assert "client_secret" not in listed["items"][0]
    assert "subscription_key" not in listed["items"][0]


def test_a_client_may_register_a_certificate_instead_of_a_secret(http: Http, world: World) -> None:
    edv = world.active(EN, "Zonnig")
    _, pem = certificate()
    created = http.post(
        CLIENTS, token=edv.admin, json_body={"name": "mTLS", "certificate_pem": pem}
    )
    assert created.status == 201
    body = created.json
    assert body["auth_method"] == "private_key_jwt"
    assert body["client_secret"] is None
    der = x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)
    expected = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
    assert body["certificate_thumbprint"] == expected


@pytest.mark.parametrize("kind", ["garbage", "expired", "not-yet-valid", "ec-key"])
def test_unusable_certificates_are_refused(http: Http, world: World, kind: str) -> None:
    edv = world.active(EN, "Zonnig")
    now = datetime.now(UTC)
    makers: dict[str, Callable[[], str]] = {
        "garbage": lambda: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n",
        "expired": lambda: certificate(valid_from=now - timedelta(days=30), valid_days=10)[1],
        "not-yet-valid": lambda: certificate(valid_from=now + timedelta(days=3))[1],
        "ec-key": lambda: certificate(ec.generate_private_key(ec.SECP256R1()))[1],
    }
    pem = makers[kind]()
    answer = http.post(CLIENTS, token=edv.admin, json_body={"name": "x", "certificate_pem": pem})
    assert answer.status == 422
    assert answer.code == "validation_error"
    assert http.get(CLIENTS, token=edv.admin).json["items"] == []


def test_only_an_active_edv_on_the_api_channel_gets_clients(http: Http, world: World) -> None:
    portal_only = world.active(EN, "Zonnig", channel="portal")
    answer = http.post(CLIENTS, token=portal_only.admin, json_body={"name": "x"})
    assert answer.status == 403
    assert answer.code == "api_not_enabled"
    pending = world.signed(OTHER, "Andere")
    answer = http.post(
        f"/v1/organisations/{OTHER}/api-clients", token=pending.admin, json_body={"name": "x"}
    )
    assert answer.code == "edv_not_active"


def test_wrong_callers_are_refused(http: Http, world: World) -> None:
    edv = world.active(EN, "Zonnig")
    other = world.active(OTHER, "Andere")
    client_id = http.post(CLIENTS, token=edv.admin, json_body={"name": "p"}).json["client_id"]
    assert http.post(CLIENTS, token=edv.member, json_body={"name": "x"}).code == "forbidden"
    assert http.get(CLIENTS, token=edv.member).code == "forbidden"
    assert http.get(CLIENTS, token=other.admin).code == "not_a_member"
    assert http.delete(f"{CLIENTS}/{client_id}", token=other.admin).code == "not_a_member"
    # Another EDV's administrator cannot reach it through their own organisation either.
    foreign = http.delete(f"/v1/organisations/{OTHER}/api-clients/{client_id}", token=other.admin)
    assert foreign.code == "not_found"
    assert http.get(CLIENTS, token=edv.admin).json["items"][0]["status"] == "active"


def test_revoking_and_termination(http: Http, world: World) -> None:
    edv = world.active(EN, "Zonnig")
    first = http.post(CLIENTS, token=edv.admin, json_body={"name": "a"}).json["client_id"]
    second = http.post(CLIENTS, token=edv.admin, json_body={"name": "b"}).json["client_id"]
    assert http.delete(f"{CLIENTS}/{first}", token=edv.admin).status == 204
    assert http.delete(f"{CLIENTS}/{first}", token=edv.admin).status == 204  # idempotent
    statuses = {
        c["client_id"]: c["status"] for c in http.get(CLIENTS, token=edv.admin).json["items"]
    }
    assert statuses == {first: "revoked", second: "active"}
    http.post(f"/v1/organisations/{EN}/edv-application/terminate", token=edv.admin)
    statuses = {
        c["client_id"]: c["status"] for c in http.get(CLIENTS, token=edv.admin).json["items"]
    }
    assert statuses == {first: "revoked", second: "revoked"}
