"""The signed contract through a presigned POST (past API Gateway's request limit): the form's
policy bounds size and type and names one key of this application; the confirmation checks the
stored object like a direct upload and removes the upload whatever happens."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.aws import s3
from chalicelib.config import settings
from chalicelib.domain.documents import MAX_SIGNED_CONTRACT_BYTES
from tests.support.http import Http
from tests.support.world import Edv, World, a_pdf

EN = "0123456749"
OTHER = "0987654394"
BASE = f"/v1/organisations/{EN}/edv-application/signed-contract"


@pytest.fixture
def applicant(http: Http) -> tuple[World, Edv]:
    world = World(http)
    return world, world.applied(EN, "Zonnig")


def upload_form(http: Http, edv: Edv) -> dict[str, object]:
    answer = http.post(f"{BASE}/upload", token=edv.admin)
    assert answer.status == 200, answer.body
    return dict(answer.json)


def stored(key: str, body: bytes) -> None:
    """What S3 does with the browser's POST."""
    s3().put_object(
        Bucket=settings().contracts_bucket, Key=key, Body=body, ContentType="application/pdf"
    )


def exists(key: str) -> bool:
    listed = s3().list_objects_v2(Bucket=settings().contracts_bucket, Prefix=key)
    return bool(listed.get("Contents"))


def test_the_form_bounds_size_type_key_and_time(http: Http, applicant: tuple[World, Edv]) -> None:
    _, edv = applicant
    form = upload_form(http, edv)
    fields = form["fields"]
    assert isinstance(fields, dict)
    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, MAX_SIGNED_CONTRACT_BYTES] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"key": form["key"]} in conditions
    assert str(form["key"]).startswith(f"uploads/{EN}/")
    assert form["max_bytes"] == 5 * 1024 * 1024
    assert policy["expiration"]  # ten minutes


def test_a_confirmed_upload_signs_the_application(http: Http, applicant: tuple[World, Edv]) -> None:
    _, edv = applicant
    form = upload_form(http, edv)
    stored(str(form["key"]), a_pdf())
    answer = http.post(f"{BASE}/confirm", token=edv.admin, json_body={"key": form["key"]})
    assert answer.status == 200, answer.body
    assert answer.json["contract_status"] == "signed"
    assert not exists(str(form["key"]))  # the upload is gone, the signed contract kept


def test_what_is_not_a_small_pdf_of_this_application_is_refused(
    http: Http, applicant: tuple[World, Edv]
) -> None:
    world, edv = applicant
    form = upload_form(http, edv)
    key = str(form["key"])
    stored(key, b"%PDF-" + b"0" * MAX_SIGNED_CONTRACT_BYTES)  # S3's policy refuses this in AWS
    too_big = http.post(f"{BASE}/confirm", token=edv.admin, json_body={"key": key})
    assert too_big.code == "payload_too_large"
    assert not exists(key)
    form = upload_form(http, edv)
    stored(str(form["key"]), b"not a pdf")
    assert http.post(f"{BASE}/confirm", token=edv.admin, json_body={"key": form["key"]}).code == (
        "invalid_pdf"
    )
    # Another organisation's key, a key outside the uploads, or no upload at all: nothing.
    other = world.applied(OTHER, "Andere")
    theirs = http.post(
        f"/v1/organisations/{OTHER}/edv-application/signed-contract/upload", token=other.admin
    ).json["key"]
    stored(theirs, a_pdf())
    for key in (theirs, "contracts/whatever.pdf", f"uploads/{EN}/none.pdf"):
        assert http.post(f"{BASE}/confirm", token=edv.admin, json_body={"key": key}).code == (
            "not_found"
        )
    assert http.post(f"{BASE}/upload", token=edv.member).status == 403
