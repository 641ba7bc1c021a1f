"""Return URLs of EDV-initiated consent lie under a root the EDV registered: the consent page
never sends a customer to a site the EDV did not name (no open redirect through our domain)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import World

EDV, OTHER = "0123456749", "0987654394"


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")  # registers https://zonnig.example/
    world.other = world.active(OTHER, "Andere")
    return world


def ask(http: Http, world: World, client: MachineClient, success: str) -> Any:
    contract = http.get(
        f"/v1/organisations/{EDV}/edv-application",
        token=world.edv.member,
    ).json["contract_number"]
    return client.post(
        "/shortUrlIdentifier",
        {
            "dataAccessContractNumber": contract,
            "referenceNumber": "ref-1",
            "flow": "B2C",
            "dataServices": [{"dataServiceType": "VH_dag"}],
            "returnUrlSuccess": success,
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://zonnig.example/klaar?ok=1",
        "https://ZONNIG.example/",
        "https://zonnig.example",
    ],
)
def test_a_return_url_under_the_root_is_accepted(http: Http, world: World, url: str) -> None:
    client = secret_client(http, world.edv)
    answer = ask(http, world, client, url)
    assert answer.status == 200, answer.body


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "https://zonnig.example.evil.example/",
        "https://zonnig.example@evil.example/",
        "https://zonnig.example:8443/",
        "http://zonnig.example/",
        "https://andere.example/",  # another EDV's root
        "https://evil.example\\@zonnig.example/",  # a browser reads evil.example as the host
        "https://zonnig.example:99999/",
        "javascript:alert(1)",
    ],
)
def test_a_return_url_elsewhere_is_refused_naming_the_field(
    http: Http, world: World, url: str
) -> None:
    client = secret_client(http, world.edv)
    answer = ask(http, world, client, url)
    assert answer.status == 400, answer.body
    assert answer.json["code"] == "ModelValidation.Failed"  # the body's, as the reference says
    [message] = answer.json["validationErrorMessages"]
    assert "returnUrlSuccess" in message


def test_an_admin_registers_roots_and_a_path_root_bounds_the_path(http: Http, world: World) -> None:
    edv = world.edv
    path = f"/v1/organisations/{EDV}/edv-application/return-url-roots"
    answer = http.put(
        path,
        token=edv.admin,
        json_body={
            "roots": ["https://www.Zonnig.example/energie", "https://www.zonnig.example/energie/"]
        },
    )
    assert answer.status == 200, answer.body
    assert answer.json["return_url_roots"] == ["https://www.zonnig.example/energie/"]
    client = secret_client(http, edv)
    assert ask(http, world, client, "https://www.zonnig.example/energie/terug").status == 200
    assert ask(http, world, client, "https://www.zonnig.example/energiek").status == 400
    # Judged as a browser resolves it: dot segments, written plainly, percent-encoded or after a
    # backslash, lead out of the root.
    for escape in (
        "https://www.zonnig.example/energie/%2e%2e/admin",
        "https://www.zonnig.example/energie/%2E./admin",
        "https://www.zonnig.example/energie/../admin",
        "https://www.zonnig.example/energie\\..\\admin",
    ):
        assert ask(http, world, client, escape).status == 400, escape
    inside = "https://WWW.zonnig.example:443/energie/./a/../terug"  # resolves to /energie/terug
    assert ask(http, world, client, inside).status == 200
    assert ask(http, world, client, "https://zonnig.example/").status == 400  # no longer a root
    # Members may not change them; bad roots are refused, field by field.
    assert http.put(path, token=edv.member, json_body={"roots": []}).status == 403
    bad = http.put(
        path, token=edv.admin, json_body={"roots": ["https://x.example/?a=1", "ftp://x.example/"]}
    )
    assert (bad.status, bad.code) == (422, "validation_error")
    assert [e["field"] for e in bad.json["errors"]] == ["roots[0]", "roots[1]"]
    too_many = [f"https://x{n}.example/" for n in range(11)]
    assert http.put(path, token=edv.admin, json_body={"roots": too_many}).status == 422
