"""What a newcomer does after `make run`: paste a printed curl line and get an answer."""

from __future__ import annotations

import pytest
import requests

from chalicelib.edge import API_HEADERS, page_headers
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def test_the_printed_token_answers_get_me(local_stack: RunningStack) -> None:
    token = local_stack.token_of("edv-admin-eva")
    answer = requests.get(
        f"{local_stack.base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200
    me = answer.json()
    assert me["sub"] == "edv-admin-eva"
    assert [org["name"] for org in me["organisations"]] == ["Zonnig Advies BV"]


def test_errors_over_http_are_problem_json(local_stack: RunningStack) -> None:
    answer = requests.get(f"{local_stack.base_url}/v1/me", timeout=10)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"]


def test_a_method_nothing_routes_is_405_problem_json_with_allow(
    local_stack: RunningStack,
) -> None:
    """As API Gateway answers it (schemathesis sends QUERY): never http.server's HTML 501."""
    for method, path, allowed in (
        ("QUERY", "/v1/me", "GET"),
        ("PURGE", "/v1/organisations/0123456749/purge-duties", "GET"),
        ("PATCH", "/v1/me/mandates", "GET, POST"),
        ("QUERY", "/verbruik/mandaten/", None),  # a page: the API's catch-all answers
    ):
        answer = requests.request(method, f"{local_stack.base_url}{path}", timeout=10)
        assert answer.headers["content-type"] == "application/problem+json", (method, path)
        assert answer.status_code in (404, 405), (method, path, answer.status_code)
        if allowed:
            assert (answer.status_code, answer.headers["allow"]) == (405, allowed)


def test_the_demo_edvs_stappenplan_opens_at_its_path(local_stack: RunningStack) -> None:
    for path in ("stappenplan", "stappenplan/", "stappenplan/afdrukken"):
        answer = requests.get(
            f"{local_stack.base_url}/verbruik/dienstverlener/0123456749/{path}", timeout=10
        )
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        assert "Zonnig Advies BV" in answer.text
        link = f"{local_stack.base_url}/verbruik/dienstverlener/0123456749/toegang"
        assert link in answer.text.replace("<wbr>", "")  # printed: breakable after each slash
    qr = requests.get(
        f"{local_stack.base_url}/verbruik/dienstverlener/0123456749/stappenplan/qr.png", timeout=10
    )
    assert qr.headers["content-type"] == "image/png"
    pending = requests.get(
        f"{local_stack.base_url}/verbruik/dienstverlener/0555555523/stappenplan", timeout=10
    )
    assert pending.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
        "/edv-local/v2.0/.well-known/openid-configuration",
        "/esco-sbx/v3/api/mandate",
    ],
)
def test_the_local_server_routes_as_the_edge_does(local_stack: RunningStack, path: str) -> None:
    """Discovery documents and the sandbox reach the app over `make run`, as through CloudFront
    (identity libraries start from these URLs); they are not looked up as pages."""
    answer = requests.get(f"{local_stack.base_url}{path}", timeout=30)
    assert answer.headers["content-type"].startswith(("application/json", "application/problem")), (
        path,
        answer.status_code,
        answer.text[:200],
    )


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_a_method_nobody_routes_is_the_apps_405(local_stack: RunningStack, method: str) -> None:
    answer = requests.request(method, f"{local_stack.base_url}/v1/me", timeout=30)
    assert answer.status_code == 405, (answer.status_code, answer.text[:200])
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_discovery_leads_to_the_running_stacks_own_token_endpoint(
    local_stack: RunningStack,
) -> None:
    """EDV software starts from the discovery URL alone: over real HTTP its token endpoint is the
    stack that answered (MSAL itself insists on https, which `make run` does not serve; the
    in-process tests run MSAL and Authlib)."""
    base = local_stack.base_url
    admin = {"Authorization": f"Bearer {local_stack.token_of('edv-admin-eva')}"}
    client = requests.post(
        f"{base}/v1/organisations/0123456749/api-clients",
        json={"name": "discovery over http"},
        headers=admin,
        timeout=30,
    ).json()
    document = requests.get(f"{base}/edv-local/v2.0/.well-known/openid-configuration", timeout=30)
    endpoint = document.json()["token_endpoint"]
    assert endpoint.startswith(base), endpoint
    token = requests.post(
        endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
            "scope": "api://edv-platform/.default",
        },
        timeout=30,
    )
    assert token.status_code == 200, token.text[:300]
    mandates = requests.get(
        f"{base}/esco-live/v3/api/mandate",
        headers={
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Ocp-Apim-Subscription-Key": client["subscription_key"],
        },
        timeout=30,
    )
    assert mandates.status_code == 200, mandates.text[:300]


def test_pages_and_answers_carry_the_security_headers(local_stack: RunningStack) -> None:
    """What CloudFront's response-headers policies set in AWS (tests/infrastructure)."""
    page = requests.get(f"{local_stack.base_url}/verbruik/mandaten/", timeout=10)
    expected = page_headers()
    for name, value in expected.items():
        if name != "Content-Security-Policy":
            assert page.headers[name] == value
    # The same policy, with the embedded S3 (where the signed contract is posted) allowed too.
    sent = page.headers["Content-Security-Policy"].split("; ")
    for directive in expected["Content-Security-Policy"].split("; "):
        assert any(found.startswith(directive) for found in sent), directive
    assert "script-src 'self'" in sent and "frame-ancestors 'none'" in sent
    answer = requests.get(f"{local_stack.base_url}/v1/edvs/0123456749", timeout=10)
    for name, value in API_HEADERS.items():
        assert answer.headers[name] == value
