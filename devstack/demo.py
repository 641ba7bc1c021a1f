"""Demo data for the local stack: people, organisations, and (as the system grows) EDVs,
access points, mandates and meter readings. Loaded through the same services the API uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib.domain.directory import Role
from chalicelib.domain.onboarding import Channel
from chalicelib.services import dev_issuer, kbo, onboarding, pages


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    description: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoOrganisation:
    enterprise_number: str
    name: str
    admin: str
    members: tuple[str, ...] = ()


OPERATOR = Person(
    "ops-olivia", "Olivia Operator", "operator of the grid operator (role ops)", ("ops",)
)
EDV_API_ADMIN = Person("edv-admin-eva", "Eva Evers", "administrator of Zonnig Advies BV (EDV, API)")
EDV_API_MEMBER = Person("edv-member-milan", "Milan Maes", "member of Zonnig Advies BV")
EDV_PORTAL_ADMIN = Person(
    "edv-admin-wout", "Wout Wouters", "administrator of Warmte Coach VZW (EDV, portal)"
)
EDV_PENDING_ADMIN = Person(
    "edv-admin-sara", "Sara Segers", "administrator of Slim Verbruik NV (waiting for approval)"
)
CUSTOMER_SOLAR = Person(
    "klant-karel", "Karel Claes", "customer: digital electricity meter with solar panels"
)
CUSTOMER_GAS = Person("klant-greet", "Greet Goossens", "customer: gas meter")
CUSTOMER_BUSINESS = Person(
    "klant-bert", "Bert Bakker", "administrator of Bakkerij De Korst (AMR meter)"
)

PEOPLE = (
    OPERATOR,
    EDV_API_ADMIN,
    EDV_API_MEMBER,
    EDV_PORTAL_ADMIN,
    EDV_PENDING_ADMIN,
    CUSTOMER_SOLAR,
    CUSTOMER_GAS,
    CUSTOMER_BUSINESS,
)

EDV_API = DemoOrganisation(
    "0123456749", "Zonnig Advies BV", EDV_API_ADMIN.sub, (EDV_API_MEMBER.sub,)
)
EDV_PORTAL = DemoOrganisation("0765432146", "Warmte Coach VZW", EDV_PORTAL_ADMIN.sub)
EDV_PENDING = DemoOrganisation("0555555523", "Slim Verbruik NV", EDV_PENDING_ADMIN.sub)
BAKERY = DemoOrganisation("0444444496", "Bakkerij De Korst", CUSTOMER_BUSINESS.sub)
ORGANISATIONS = (EDV_API, EDV_PORTAL, EDV_PENDING, BAKERY)


@dataclass
class Guide:
    """What a newcomer needs after `make run`."""

    people: tuple[Person, ...]
    organisations: tuple[DemoOrganisation, ...]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, path)

    def banner(self, base_url: str) -> str:
        now = datetime.now(UTC)
        lines = [
            "",
            "EDV platform, local stack",
            f"  API            {base_url}/v1/...   (OpenAPI: {base_url}/openapi.json)",
            "  Embedded AWS   moto on 127.0.0.1 (tables and buckets created, demo data loaded)",
            "",
            "Pages:",
            *[f"  {label:<36} {base_url}{path}" for label, path in self.links],
            "",
            "Organisations:",
            *[f"  {org.enterprise_number}  {org.name}" for org in self.organisations],
            "",
            "Demo identities (tokens valid 8 hours; more: POST /v1/dev/token {sub, name, roles}):",
        ]
        for person in self.people:
            token, _ = dev_issuer.mint(person.sub, person.name, list(person.roles), now)
            lines += [
                f"  {person.sub:<18} {person.description}",
                f"    curl -s -H 'Authorization: Bearer {token}' {base_url}/v1/me",
            ]
        return "\n".join(lines) + "\n"


def _become_edv(org: DemoOrganisation, channel: Channel, approve: bool, now: datetime) -> None:
    onboarding.apply(
        org.admin,
        org.enterprise_number,
        channel=channel,
        contact_name="Demo contact",
        contact_email=f"info@{org.enterprise_number}.example",
        service_description=f"{org.name}: energieadvies op basis van meetgegevens",
        now=now,
    )
    _, contract = onboarding.contract_pdf(org.admin, org.enterprise_number)
    onboarding.upload_signed_contract(org.admin, org.enterprise_number, contract, now)
    if approve:
        onboarding.approve(OPERATOR.sub, org.enterprise_number, now)


def load(now: datetime | None = None) -> Guide:
    now = now or datetime.now(UTC)
    for org in ORGANISATIONS:
        kbo.link_person(org.enterprise_number, org.admin, Role.ADMIN, org.name, now)
        for member in org.members:
            kbo.link_person(org.enterprise_number, member, Role.MEMBER, org.name, now)
    _become_edv(EDV_API, Channel.PORTAL_AND_API, approve=True, now=now)
    _become_edv(EDV_PORTAL, Channel.PORTAL, approve=True, now=now)
    _become_edv(EDV_PENDING, Channel.PORTAL, approve=False, now=now)
    guide = Guide(PEOPLE, ORGANISATIONS)
    for org in (EDV_API, EDV_PORTAL):
        path = pages.edv_path(org.enterprise_number)
        guide.links += [
            (f"Stappenplan {org.name}", f"{path}/stappenplan"),
            ("  printable", f"{path}/stappenplan/afdrukken"),
        ]
    return guide
