"""The new doors, tried as an attacker and as a careless EDV would: typed input on both faces,
ids checked for shape before any lookup, and quotas per EDV, each refusal naming its limit."""

from __future__ import annotations

from chalicelib.domain import quotas
from tests.support.http import Http
from tests.support.machine import secret_client
from tests.support.world import World

EDV = "0123456749"


def test_the_machine_apis_export_takes_only_eans(http: Http) -> None:
    """Empty strings, paths and 5,000 long strings used to be taken (a 500, or a job that
    crashed holding one of the EDV's two export slots)."""
    world = World(http)
    client = secret_client(http, world.active(EDV, "Zonnig"))
    for eans in (["", "../../etc"], ["5" * 400] * 5000, ["541448820000000016"]):
        answer = client.post("/extensions/exports", {"eans": eans})
        assert (answer.status, answer.json["code"]) == (400, "ModelValidation.Failed")
    listed = client.get(f"/mandate?referenceNumber={'x' * 201}")
    assert (listed.status, listed.json["code"]) == (400, "RequestModelValidation.Failed")


def test_an_id_not_of_our_shape_names_nothing(http: Http) -> None:
    """An id with `#`, `..` or 200 characters is not looked up: 404, on both faces."""
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    client = secret_client(http, edv)
    for odd in ("exp_1#plan", "..%2F..", "a" * 200):
        assert client.get(f"/extensions/exports/{odd}").status == 404
        assert http.get(f"/v1/organisations/{EDV}/exports/{odd}", token=edv.member).status == 404
        assert http.get(f"/v1/me/mandates/{odd}", token=edv.member).status == 404
        assert http.get(f"/v1/consent-sessions/{odd}").status == 404
        revoke = http.delete(f"/v1/organisations/{EDV}/api-clients/{odd}", token=edv.admin)
        assert revoke.status == 404


def test_api_clients_have_a_quota_and_revoking_makes_room(http: Http) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    path = f"/v1/organisations/{EDV}/api-clients"
    made = [
        http.post(path, token=edv.admin, json_body={"name": f"systeem {n}"})
        for n in range(quotas.API_CLIENTS + 1)
    ]
    assert [answer.status for answer in made[:-1]] == [201] * quotas.API_CLIENTS
    refused = made[-1]
    assert (refused.status, refused.code) == (409, "quota_exceeded")
    assert (refused.json["quota"], refused.json["limit"]) == ("api_clients", quotas.API_CLIENTS)
    first = made[0].json["client_id"]
    assert http.delete(f"{path}/{first}", token=edv.admin).status == 204
    assert http.post(path, token=edv.admin, json_body={"name": "nieuw"}).status == 201


def test_sandbox_mocks_have_a_quota(http: Http) -> None:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    path = f"/v1/organisations/{EDV}/sandbox/mandates"
    body = {"ean": "541448860000000028"}
    made = [http.post(path, token=edv.admin, json_body=body) for _ in range(quotas.SANDBOX_MOCKS)]
    assert {answer.status for answer in made} == {201}
    refused = http.post(path, token=edv.admin, json_body=body)
    assert (refused.status, refused.code, refused.json["limit"]) == (409, "quota_exceeded", 100)
    client = secret_client(http, edv)
    machine = client.http.post(
        "/esco-sbx/v3/api/mandate/mock",
        token=client.token(),
        json_body={
            "referenceNumber": "r",
            "ean": "541448860000000028",
            "dataServiceType": "VH_dag",
        },
        headers={"Ocp-Apim-Subscription-Key": client.subscription_key},
    )
    assert (machine.status, machine.json["code"]) == (409, "Quota.Exceeded")
