"""Building the world a test needs through the public HTTP API: organisations, EDVs, operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from chalicelib.domain.vocabulary import Channel
from chalicelib.render.contract import render_contract
from chalicelib.render.requests import ContractDetails
from tests.support.http import Http


@cache
def a_pdf() -> bytes:
    """A real PDF to upload as the signed contract."""
    return render_contract(
        ContractDetails(
            "Test", "0123456749", Channel.PORTAL, "DTC-0123456749-001", date(2025, 1, 1), "T"
        )
    )


@dataclass
class Edv:
    enterprise_number: str
    name: str
    admin: str  # token
    member: str  # token


class World:
    # The EDVs a test module's fixture makes active, under the names its tests use.
    edv: Edv
    other: Edv

    def __init__(self, http: Http) -> None:
        self.http = http
        self.operator = http.token("ops-olivia", "Olivia", roles=["ops"])

    def organisation(self, enterprise_number: str, name: str) -> Edv:
        admin_sub, member_sub = f"admin-{enterprise_number}", f"member-{enterprise_number}"
        self.http.link(enterprise_number, admin_sub, "admin", name)
        self.http.link(enterprise_number, member_sub, "member", name)
        return Edv(enterprise_number, name, self.http.token(admin_sub), self.http.token(member_sub))

    def applied(self, enterprise_number: str, name: str, channel: str = "portal_and_api") -> Edv:
        edv = self.organisation(enterprise_number, name)
        answer = self.http.post(
            f"/v1/organisations/{enterprise_number}/edv-application",
            token=edv.admin,
            json_body={
                "channel": channel,
                "contact": {"name": "Contact Person", "email": "contact@example.be"},
                "service_description": "Advies over zonnepanelen",
                # Consent requests send customers back under it ("Zonnig" -> zonnig.example).
                "return_url_roots": [f"https://{name.split()[0].lower()}.example/"],
            },
        )
        assert answer.status == 201, answer.body
        return edv

    def signed(self, enterprise_number: str, name: str, channel: str = "portal_and_api") -> Edv:
        edv = self.applied(enterprise_number, name, channel)
        answer = self.http.put(
            f"/v1/organisations/{enterprise_number}/edv-application/signed-contract",
            token=edv.admin,
            body=a_pdf(),
            headers={"Content-Type": "application/pdf"},
        )
        assert answer.status == 200, answer.body
        return edv

    def active(self, enterprise_number: str, name: str, channel: str = "portal_and_api") -> Edv:
        edv = self.signed(enterprise_number, name, channel)
        answer = self.http.post(
            f"/v1/ops/edv-applications/{enterprise_number}/approve", token=self.operator
        )
        assert answer.status == 200, answer.body
        return edv


def ean(serial: int) -> str:
    """A valid Belgian EAN with the given serial."""
    from chalicelib.domain.identifiers import gs1_check_digit

    data = f"54144882{serial:09d}"
    return data + str(gs1_check_digit(data))


@dataclass
class Customer:
    sub: str
    token: str


def register_access_point(
    world: World,
    ean_code: str,
    *,
    grid_user: dict[str, str],
    since: str = "2020-01-01",
    energy: str = "electricity",
    meter_type: str = "digital",
    direction: str = "both",
    scenario: str | None = None,
) -> None:
    """Register an EAN; on a registered one, a new grid user comes with its `scenario` (R8)."""
    answer = world.http.put(
        f"/v1/ops/access-points/{ean_code}",
        token=world.operator,
        json_body={
            "energy": energy,
            "meter_type": meter_type,
            "direction": direction,
            "address": "Kerkstraat 1, 9000 Gent",
            "meter_number": "1SAG1100000292",
            "grid_user": grid_user,
            "grid_user_since": since,
            **({"scenario": scenario} if scenario else {}),
        },
    )
    assert answer.status in (200, 201), answer.body


def customer_with_meter(
    world: World, sub: str, ean_code: str, since: str = "2020-01-01", **kwargs: str
) -> Customer:
    register_access_point(world, ean_code, grid_user={"sub": sub}, since=since, **kwargs)
    return customer(world, sub)


def customer(world: World, sub: str) -> Customer:
    """The person `sub`, signed in (as customer_with_meter makes them)."""
    return Customer(sub, world.http.token(sub, name=f"Customer {sub}"))


def grant(
    world: World,
    customer: Customer,
    edv: str,
    ean_code: str,
    granularity: str = "quarter_hour",
    period_start: str = "2024-01-01",
    period_end: str = "2027-01-01",
    session: str | None = None,  # an EDV-initiated consent's session
) -> dict[str, Any]:
    asked = {
        "edv": edv,
        "ean": ean_code,
        "granularity": granularity,
        "period_start": period_start,
        "period_end": period_end,
    }
    answer = world.http.post(
        "/v1/me/mandates",
        token=customer.token,
        json_body={**asked, "session": session} if session else asked,
    )
    assert answer.status == 201, answer.body
    return dict(answer.json)


def ingest(world: World, body: object) -> dict[str, Any]:
    import orjson

    answer = world.http.post(
        "/v1/ops/readings",
        token=world.operator,
        body=orjson.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 200, answer.body
    return dict(answer.json)
