"""Building the world a test needs through the public HTTP API: organisations, EDVs, operators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from chalicelib.domain.onboarding import Channel
from chalicelib.render.contract import ContractDetails, render_contract
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
