"""Becoming an EDV (R2): the whole lifecycle over HTTP, each step tried by the wrong caller."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain import onboarding as rules
from chalicelib.domain.errors import DomainError
from chalicelib.domain.vocabulary import Channel
from chalicelib.store import onboarding as store
from tests.support.http import Http
from tests.support.world import World, a_pdf

EN = "0123456749"
OTHER = "0987654394"
PDF = {"Content-Type": "application/pdf"}
APPLICATION = {
    "channel": "portal_and_api",
    "contact": {"name": "Eva Evers", "email": "eva@zonnig.be"},
    "service_description": "Advies over zonnepanelen",
}


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


def base(en: str = EN) -> str:
    return f"/v1/organisations/{en}/edv-application"


def contract_objects(en: str) -> list[dict[str, object]]:
    listed = s3().list_object_versions(
        Bucket=settings().contracts_bucket, Prefix=f"contracts/{en}/"
    )
    return list(listed.get("Versions", []))


def test_the_whole_lifecycle_over_http(http: Http, world: World) -> None:
    edv = world.organisation(EN, "Zonnig Advies BV")
    applied = http.post(base(), token=edv.admin, json_body=APPLICATION)
    assert applied.status == 201
    overview = applied.json
    assert overview["contract_status"] == "requested"
    assert overview["api_status"] == "inactive"
    assert overview["contract_number"] == f"DTC-{EN}-001"
    assert (
        overview["stappenplan_url"]
        == f"http://127.0.0.1:8000/verbruik/dienstverlener/{EN}/stappenplan"
    )
    assert overview["consent_url"] == f"http://127.0.0.1:8000/verbruik/dienstverlener/{EN}/toegang"
    assert overview["signed_at"] is None
    assert http.get(base(), token=edv.member).json == overview  # any member sees the overview

    contract = http.get(
        f"{base()}/contract", token=edv.admin, headers={"Accept": "application/pdf"}
    )
    assert contract.status == 200
    assert contract.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(contract.body)).pages)
    for expected in (
        "Zonnig Advies BV",
        "0123.456.749",
        f"DTC-{EN}-001",
        "Via de API en Mijn Fluvius",
    ):
        assert expected in text

    signed = http.put(f"{base()}/signed-contract", token=edv.admin, body=contract.body, headers=PDF)
    assert signed.status == 200
    assert signed.json["contract_status"] == "signed"
    assert signed.json["signed_at"] is not None
    assert signed.json["signed_contract_sha256"] == hashlib.sha256(contract.body).hexdigest()
    [stored] = contract_objects(EN)
    assert stored["VersionId"] and stored["VersionId"] != "null"
    head = s3().head_object(
        Bucket=settings().contracts_bucket, Key=stored["Key"], ChecksumMode="ENABLED"
    )
    assert head["Metadata"]["sha256"] == hashlib.sha256(contract.body).hexdigest()
    assert head["ChecksumSHA256"]

    queue = http.get("/v1/ops/edv-applications?status=signed", token=world.operator).json
    assert [item["enterprise_number"] for item in queue["items"]] == [EN]

    approved = http.post(f"/v1/ops/edv-applications/{EN}/approve", token=world.operator)
    assert approved.status == 200
    assert approved.json["contract_status"] == "active"
    assert approved.json["api_status"] == "active"
    assert approved.json["decided_at"] is not None
    assert [h["status"] for h in approved.json["history"]] == ["requested", "signed", "active"]
    assert approved.json["history"][-1]["by"] == "ops-olivia"
    me = http.get("/v1/me", token=edv.member).json
    assert me["organisations"][0]["application_roles"] == [
        {"application": "verbruik", "role": "energiedienstverlener"}
    ]
    card = http.get(f"/v1/edvs/{EN}").json
    assert card == {
        "enterprise_number": EN,
        "name": "Zonnig Advies BV",
        # What the consent page tells customers: what for, and how to reach the EDV.
        "service_description": "Advies over zonnepanelen",
        "contact_email": "eva@zonnig.be",
        "status": "active",
        "stappenplan_url": overview["stappenplan_url"],
        "consent_url": overview["consent_url"],
    }

    terminated = http.post(f"{base()}/terminate", token=edv.admin)
    assert terminated.status == 200
    assert terminated.json["contract_status"] == "terminated"
    assert terminated.json["api_status"] == "inactive"
    assert terminated.json["terminated_at"] is not None
    assert http.get("/v1/me", token=edv.member).json["organisations"][0]["application_roles"] == []
    assert http.get(f"/v1/edvs/{EN}").json["status"] == "terminated"


def test_each_step_refuses_the_wrong_caller(http: Http, world: World) -> None:
    edv = world.organisation(EN, "Zonnig Advies BV")
    other = world.organisation(OTHER, "Andere NV")
    stranger = http.token("stranger")
    admin_steps = [
        ("POST", base(), APPLICATION),
        ("GET", f"{base()}/contract", None),
        ("POST", f"{base()}/cancel", None),
        ("POST", f"{base()}/terminate", None),
    ]
    for method, path, body in admin_steps:
        assert http.request(method, path, json_body=body).code == "unauthenticated"
        assert http.request(method, path, token=edv.member, json_body=body).code == "forbidden"
        assert http.request(method, path, token=other.admin, json_body=body).code == "not_a_member"
        assert http.request(method, path, token=stranger, json_body=body).code == "not_a_member"
    upload = f"{base()}/signed-contract"
    assert http.put(upload, token=edv.member, body=a_pdf(), headers=PDF).code == "forbidden"
    assert http.put(upload, token=other.admin, body=a_pdf(), headers=PDF).code == "not_a_member"
    assert http.get(base(), token=other.member).code == "not_a_member"

    http.post(base(), token=edv.admin, json_body=APPLICATION)
    http.put(upload, token=edv.admin, body=a_pdf(), headers=PDF)
    decisions: list[tuple[str, dict[str, str] | None]] = [
        (f"/v1/ops/edv-applications/{EN}/approve", None),
        (f"/v1/ops/edv-applications/{EN}/reject", {"reason": "no"}),
    ]
    for path, decision in decisions:
        assert http.post(path, token=edv.admin, json_body=decision).code == "forbidden"
        assert http.post(path, json_body=decision).code == "unauthenticated"
    assert http.get("/v1/ops/edv-applications", token=edv.admin).code == "forbidden"
    assert http.get(base(), token=edv.member).json["contract_status"] == "signed"


def test_a_second_submit_is_a_conflict(http: Http, world: World) -> None:
    edv = world.applied(EN, "Zonnig")
    again = http.post(base(), token=edv.admin, json_body=APPLICATION)
    assert again.status == 409
    assert again.code == "conflict"


def test_a_race_of_two_submits_leaves_one_application(aws: None) -> None:
    from datetime import UTC, datetime

    from chalicelib.store import directory as directory_store

    now = datetime(2025, 1, 1, tzinfo=UTC)
    directory_store.save_organisation_name(EN, "Zonnig", now)
    # Both double-clicks read "no application" before either writes.
    first, second = (
        rules.apply(
            store.get_application(EN),
            enterprise_number=EN,
            channel=Channel.PORTAL,
            contact_name="a",
            contact_email="a@b.be",
            service_description="x",
            by=who,
            now=now,
        )
        for who in ("click-1", "click-2")
    )
    store.save_application(first)
    with pytest.raises(DomainError) as lost:
        store.save_application(second)
    assert lost.value.code == "conflict"
    saved = store.get_application(EN)
    assert saved is not None and saved.history[0].by == "click-1"


def test_only_a_signed_application_can_be_approved(http: Http, world: World) -> None:
    world.applied(EN, "Zonnig")
    answer = http.post(f"/v1/ops/edv-applications/{EN}/approve", token=world.operator)
    assert answer.status == 409
    assert answer.code == "conflict"
    missing = http.post(f"/v1/ops/edv-applications/{OTHER}/approve", token=world.operator)
    assert missing.code == "not_found"


def test_rejection_keeps_the_reason_and_a_new_application_may_follow(
    http: Http, world: World
) -> None:
    edv = world.signed(EN, "Zonnig")
    rejected = http.post(
        f"/v1/ops/edv-applications/{EN}/reject",
        token=world.operator,
        json_body={"reason": "Handtekening ontbreekt"},
    )
    assert rejected.json["contract_status"] == "rejected"
    assert rejected.json["rejection_reason"] == "Handtekening ontbreekt"
    assert http.post(f"/v1/ops/edv-applications/{EN}/approve", token=world.operator).status == 409
    assert http.get(f"/v1/edvs/{EN}").code == "not_found"  # never live, not public
    renewed = http.post(base(), token=edv.admin, json_body={**APPLICATION, "channel": "portal"})
    assert renewed.status == 201
    assert renewed.json["contract_number"] == f"DTC-{EN}-002"
    assert renewed.json["channel"] == "portal"


def test_cancel_before_approval_only(http: Http, world: World) -> None:
    edv = world.signed(EN, "Zonnig")
    cancelled = http.post(f"{base()}/cancel", token=edv.admin)
    assert cancelled.json["contract_status"] == "cancelled"
    assert http.post(f"{base()}/cancel", token=edv.admin).code == "conflict"
    active = world.active(OTHER, "Andere")
    assert http.post(f"{base(OTHER)}/cancel", token=active.admin).code == "conflict"
    assert http.post(f"{base()}/terminate", token=edv.admin).code == "conflict"


def test_the_queue_filters_by_status_and_pages(http: Http, world: World) -> None:
    numbers = ["0000000097", "0000000196", "0000000295"]
    for number in numbers:
        world.signed(number, f"Org {number}")
    world.applied(EN, "Zonnig")
    page = http.get("/v1/ops/edv-applications?limit=2", token=world.operator).json
    rest = http.get(
        f"/v1/ops/edv-applications?limit=2&cursor={page['next_cursor']}", token=world.operator
    ).json
    assert [i["enterprise_number"] for i in page["items"] + rest["items"]] == numbers
    assert rest["next_cursor"] is None
    requested = http.get("/v1/ops/edv-applications?status=requested", token=world.operator).json
    assert [i["enterprise_number"] for i in requested["items"]] == [EN]
    tampered = http.get(
        f"/v1/ops/edv-applications?status=requested&cursor={page['next_cursor']}",
        token=world.operator,
    )
    assert tampered.code == "invalid_cursor"
    assert http.get("/v1/ops/edv-applications?status=bogus", token=world.operator).status == 422


def _truncated() -> bytes:
    return a_pdf()[: len(a_pdf()) // 2]


def _six_megabytes() -> bytes:
    return a_pdf() + b"\n%" + b"x" * (6 * 1024 * 1024) + b"\n%%EOF\n"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"Dit is geen PDF maar platte tekst.", 422, "invalid_pdf"),
        (b"", 422, "invalid_pdf"),
        (None, 422, "invalid_pdf"),  # truncated
        (b"%PDF-1.7\n%%EOF\n", 422, "invalid_pdf"),  # a header and nothing else
        (b"six", 413, "payload_too_large"),  # replaced by a 6 MB PDF below
    ],
    ids=["not-a-pdf", "empty", "truncated", "hollow", "six-megabytes"],
)
def test_bad_uploads_are_refused_and_change_nothing(
    http: Http, world: World, body: bytes | None, status: int, code: str
) -> None:
    edv = world.applied(EN, "Zonnig")
    payload = _truncated() if body is None else _six_megabytes() if body == b"six" else body
    answer = http.put(f"{base()}/signed-contract", token=edv.admin, body=payload, headers=PDF)
    assert answer.status == status, answer.body
    assert answer.code == code
    assert http.get(base(), token=edv.admin).json["contract_status"] == "requested"
    assert contract_objects(EN) == []


def test_an_upload_under_a_pdf_name_but_of_another_type_is_refused(
    http: Http, world: World
) -> None:
    edv = world.applied(EN, "Zonnig")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    answer = http.put(f"{base()}/signed-contract", token=edv.admin, body=png, headers=PDF)
    assert answer.code == "invalid_pdf"
    text = http.put(
        f"{base()}/signed-contract",
        token=edv.admin,
        body=a_pdf(),
        headers={"Content-Type": "text/plain"},
    )
    assert text.status == 415


def test_an_upload_after_approval_is_a_conflict_and_leaves_no_file(
    http: Http, world: World
) -> None:
    edv = world.active(EN, "Zonnig")
    before = contract_objects(EN)
    answer = http.put(f"{base()}/signed-contract", token=edv.admin, body=a_pdf(), headers=PDF)
    assert answer.code == "conflict"
    assert contract_objects(EN) == before


def test_a_new_signed_upload_replaces_the_previous_as_a_new_version(
    http: Http, world: World
) -> None:
    edv = world.signed(EN, "Zonnig")
    other_pdf = http.get(f"{base()}/contract", token=edv.admin, headers={"Accept": "*/*"}).body
    answer = http.put(f"{base()}/signed-contract", token=edv.admin, body=other_pdf, headers=PDF)
    assert answer.json["signed_contract_sha256"] == hashlib.sha256(other_pdf).hexdigest()
    assert len(contract_objects(EN)) == 2
    assert [h["status"] for h in answer.json["history"]] == ["requested", "signed"]
