"""EDV software gets its tokens with standard identity libraries, from nothing but our discovery
URL: MSAL (as written for Entra ID, under a tenant path) and Authlib (RFC 8414 / RFC 7523), each
with a client secret and with a certificate. The token then opens the machine API."""

from __future__ import annotations

from typing import Any

import msal
import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from cryptography.hazmat.primitives import serialization

from tests.support.http import Http
from tests.support.inprocess import AppAdapter, session_into
from tests.support.machine import MachineClient, certificate_client, secret_client
from tests.support.world import World, customer_with_meter, ean, grant

EDV = "0123456749"
BASE = "https://edv.example"  # what a deployed stage's public URL looks like to clients


@pytest.fixture
def world(http: Http, monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setenv("API_BASE_URL", BASE)
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    karel = customer_with_meter(world, "karel", ean(1))
    grant(world, karel, EDV, ean(1), period_start="2025-01-01")
    return world


def opens_the_machine_api(client: MachineClient, token: str) -> bool:
    answer = client.get("/mandate", token=token)
    return answer.status == 200 and answer.json["data"]["mandates"][0]["ean"] == ean(1)


def pem(client: MachineClient) -> bytes:
    return client.key.private_bytes(  # type: ignore[no-any-return]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def discovered(http: Http, url: str) -> dict[str, Any]:
    document: dict[str, Any] = session_into(http).get(url).json()
    return document


def test_the_discovery_documents(http: Http, world: World) -> None:
    root = discovered(http, f"{BASE}/.well-known/openid-configuration")
    assert root["issuer"] == f"{BASE}/oauth2"
    assert root["token_endpoint"] == f"{BASE}/oauth2/token"
    assert root["jwks_uri"] == f"{BASE}/oauth2/jwks"
    assert "private_key_jwt" in root["token_endpoint_auth_methods_supported"]
    assert discovered(http, f"{BASE}/oauth2/.well-known/openid-configuration") == root
    assert discovered(http, f"{BASE}/.well-known/oauth-authorization-server/oauth2") == root
    tenant = discovered(http, f"{BASE}/contoso/v2.0/.well-known/openid-configuration")
    assert tenant["issuer"] == f"{BASE}/contoso/v2.0"
    assert tenant["token_endpoint"] == f"{BASE}/contoso/oauth2/v2.0/token"
    bad = session_into(http).get(f"{BASE}/not%20a%20tenant/v2.0/.well-known/openid-configuration")
    assert bad.status_code == 400


def test_msal_with_a_secret_and_with_a_certificate(http: Http, world: World) -> None:
    authority = f"{BASE}/edv-tenant/v2.0"
    with_secret = secret_client(http, world.edv)
    app = msal.ConfidentialClientApplication(
        with_secret.client_id,
        client_credential=with_secret.secret,
        oidc_authority=authority,
        http_client=session_into(http),
    )
    result = app.acquire_token_for_client(scopes=["api://edv-platform/.default"])
    assert "access_token" in result, result
    assert opens_the_machine_api(with_secret, result["access_token"])

    with_certificate = certificate_client(http, world.edv)
    assert with_certificate.thumbprint_hex is not None
    app = msal.ConfidentialClientApplication(
        with_certificate.client_id,
        client_credential={
            "private_key": pem(with_certificate).decode(),
            "thumbprint": with_certificate.thumbprint_hex,
        },
        oidc_authority=authority,
        http_client=session_into(http),
    )
    result = app.acquire_token_for_client(scopes=["api://edv-platform/.default"])
    assert "access_token" in result, result
    assert opens_the_machine_api(with_certificate, result["access_token"])


def test_authlib_with_a_secret_and_with_a_certificate(http: Http, world: World) -> None:
    metadata = discovered(http, f"{BASE}/.well-known/oauth-authorization-server")
    token_endpoint = metadata["token_endpoint"]
    with_secret = secret_client(http, world.edv)
    session = OAuth2Session(with_secret.client_id, with_secret.secret, scope="edv/.default")
    session.mount("https://", AppAdapter(http))  # client_secret_basic, Authlib's default
    token = session.fetch_token(token_endpoint, grant_type="client_credentials")
    assert opens_the_machine_api(with_secret, token["access_token"])

    with_certificate = certificate_client(http, world.edv)
    session = OAuth2Session(
        with_certificate.client_id,
        pem(with_certificate),
        token_endpoint_auth_method=PrivateKeyJWT(token_endpoint),
    )
    session.mount("https://", AppAdapter(http))
    token = session.fetch_token(token_endpoint, grant_type="client_credentials")
    assert opens_the_machine_api(with_certificate, token["access_token"])
