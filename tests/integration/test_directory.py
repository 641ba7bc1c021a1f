"""Acting for an organisation (R1): KBO links, RMA delegations, roles enforced."""

from __future__ import annotations

import pytest

from tests.support.http import Http

ACME = "0123456749"
OTHER = "0987654394"


@pytest.fixture
def acme(http: Http) -> dict[str, str]:
    http.link(ACME, "admin-ann", "admin", "Acme Energy")
    http.link(ACME, "member-mo", "member", "Acme Energy")
    http.link(OTHER, "other-oz", "admin", "Other Co")
    return {sub: http.token(sub) for sub in ("admin-ann", "member-mo", "other-oz", "loner-lu")}


def test_me_lists_the_organisations_a_person_acts_for(http: Http, acme: dict[str, str]) -> None:
    me = http.get("/v1/me", token=acme["admin-ann"]).json
    assert me["organisations"] == [
        {
            "enterprise_number": ACME,
            "name": "Acme Energy",
            "role": "admin",
            "via": "kbo",
            "application_roles": [],
        }
    ]
    assert http.get("/v1/me", token=acme["loner-lu"]).json["organisations"] == []


def test_an_administrator_lists_members_with_role_and_origin(
    http: Http, acme: dict[str, str]
) -> None:
    answer = http.get(f"/v1/organisations/{ACME}/members", token=acme["admin-ann"])
    assert answer.status == 200
    members = {(m["sub"], m["role"], m["via"]) for m in answer.json["items"]}
    assert members == {("admin-ann", "admin", "kbo"), ("member-mo", "member", "kbo")}
    assert answer.json["next_cursor"] is None


def test_a_member_who_is_not_an_administrator_gets_403(http: Http, acme: dict[str, str]) -> None:
    token = acme["member-mo"]
    for answer in (
        http.get(f"/v1/organisations/{ACME}/members", token=token),
        http.put(f"/v1/organisations/{ACME}/members/x", token=token, json_body={"role": "member"}),
        http.delete(f"/v1/organisations/{ACME}/members/x", token=token),
    ):
        assert answer.status == 403
        assert answer.code == "forbidden"


def test_a_person_not_linked_gets_403_not_a_member(http: Http, acme: dict[str, str]) -> None:
    for token in (acme["loner-lu"], acme["other-oz"]):
        answer = http.get(f"/v1/organisations/{ACME}/members", token=token)
        assert answer.status == 403
        assert answer.code == "not_a_member"
    unknown_org = http.get("/v1/organisations/0000000097/members", token=acme["admin-ann"])
    assert unknown_org.code == "not_a_member"


def test_a_bad_enterprise_number_gets_422(http: Http, acme: dict[str, str]) -> None:
    answer = http.get("/v1/organisations/0123456748/members", token=acme["admin-ann"])
    assert answer.status == 422
    assert answer.code == "invalid_enterprise_number"


def test_an_rma_delegation_gives_access_and_can_be_removed(
    http: Http, acme: dict[str, str]
) -> None:
    admin = acme["admin-ann"]
    created = http.put(
        f"/v1/organisations/{ACME}/members/loner-lu", token=admin, json_body={"role": "member"}
    )
    assert created.status == 201
    assert created.json["via"] == "rma"
    assert created.json["granted_by"] == "admin-ann"
    me = http.get("/v1/me", token=acme["loner-lu"]).json
    assert [(o["enterprise_number"], o["role"], o["via"]) for o in me["organisations"]] == [
        (ACME, "member", "rma")
    ]
    # Still not an administrator.
    assert http.get(f"/v1/organisations/{ACME}/members", token=acme["loner-lu"]).status == 403

    promoted = http.put(
        f"/v1/organisations/{ACME}/members/loner-lu", token=admin, json_body={"role": "admin"}
    )
    assert promoted.status == 200
    assert http.get(f"/v1/organisations/{ACME}/members", token=acme["loner-lu"]).status == 200

    removed = http.delete(f"/v1/organisations/{ACME}/members/loner-lu", token=admin)
    assert removed.status == 204
    assert http.get("/v1/me", token=acme["loner-lu"]).json["organisations"] == []
    again = http.delete(f"/v1/organisations/{ACME}/members/loner-lu", token=admin)
    assert again.status == 404
    assert again.code == "not_found"


def test_kbo_links_cannot_be_removed_as_delegations(http: Http, acme: dict[str, str]) -> None:
    answer = http.delete(f"/v1/organisations/{ACME}/members/member-mo", token=acme["admin-ann"])
    assert answer.code == "not_found"
    assert http.get("/v1/me", token=acme["member-mo"]).json["organisations"] != []


def test_an_rma_administrator_may_step_down_while_another_administrator_remains(http: Http) -> None:
    # An organisation whose only administrator came in through RMA.
    http.link(OTHER, "kbo-member", "member", "Other Co")
    http.link(OTHER, "kbo-admin", "admin", "Other Co")
    kbo_admin = http.token("kbo-admin")
    http.put(
        f"/v1/organisations/{OTHER}/members/rma-admin", token=kbo_admin, json_body={"role": "admin"}
    )
    rma_admin = http.token("rma-admin")
    # With a KBO administrator present, the RMA administrator may step down.
    stepped = http.put(
        f"/v1/organisations/{OTHER}/members/rma-admin",
        token=rma_admin,
        json_body={"role": "member"},
    )
    assert stepped.status == 200


def test_removing_the_only_administrator_is_a_conflict(http: Http) -> None:
    third = "0000000097"
    http.link(third, "founder", "member", "Third")
    # No administrator from KBO: make one through the register, let it delegate, then leave.
    http.link(third, "boss", "admin", "Third")
    boss = http.token("boss")
    http.put(f"/v1/organisations/{third}/members/deputy", token=boss, json_body={"role": "admin"})
    http.link(third, "boss", "member", "Third")  # the register demotes the boss
    deputy = http.token("deputy")
    answer = http.delete(f"/v1/organisations/{third}/members/deputy", token=deputy)
    assert answer.status == 409
    assert answer.code == "last_administrator"


def test_members_are_paged_with_tamper_proof_cursors(http: Http, acme: dict[str, str]) -> None:
    admin = acme["admin-ann"]
    for index in range(5):
        http.put(
            f"/v1/organisations/{ACME}/members/p{index}", token=admin, json_body={"role": "member"}
        )
    seen: list[str] = []
    cursor = None
    while True:
        path = f"/v1/organisations/{ACME}/members?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = http.get(path, token=admin).json
        seen += [m["sub"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(["admin-ann", "member-mo", *[f"p{i}" for i in range(5)]])
    assert len(seen) == 7

    first = http.get(f"/v1/organisations/{ACME}/members?limit=2", token=admin).json["next_cursor"]
    tampered = first[:-2] + ("A" if first[-2] != "A" else "B") + first[-1]
    answer = http.get(f"/v1/organisations/{ACME}/members?cursor={tampered}", token=admin)
    assert answer.status == 400
    assert answer.code == "invalid_cursor"
    # A cursor of one organisation's list is worthless for another's.
    oz = acme["other-oz"]
    replayed = http.get(f"/v1/organisations/{OTHER}/members?cursor={first}", token=oz)
    assert replayed.code == "invalid_cursor"


def test_limit_is_bounded(http: Http, acme: dict[str, str]) -> None:
    answer = http.get(f"/v1/organisations/{ACME}/members?limit=501", token=acme["admin-ann"])
    assert answer.status == 422
    assert answer.code == "validation_error"


def test_the_register_renames_an_organisation(http: Http, acme: dict[str, str]) -> None:
    http.link(ACME, "admin-ann", "admin", "Acme Energy Services")
    me = http.get("/v1/me", token=acme["admin-ann"]).json
    assert me["organisations"][0]["name"] == "Acme Energy Services"
