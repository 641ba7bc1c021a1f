"""Demo data for the local stack: people, organisations, and (as the system grows) EDVs,
access points, mandates and meter readings. Loaded through the same services the API uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chalicelib.domain import mandates as rules
from chalicelib.domain.access_points import GridUser
from chalicelib.domain.brussels import brussels_date
from chalicelib.domain.identifiers import gs1_check_digit
from chalicelib.domain.tariffs import TariffEntry
from chalicelib.domain.vocabulary import (
    Channel,
    Direction,
    Energy,
    Granularity,
    MeterType,
    Role,
    Scenario,
)
from chalicelib.services import (
    access_log,
    access_points,
    api_clients,
    dev_issuer,
    entitlements,
    kbo,
    mandates,
    market,
    onboarding,
    pages,
    usage,
)

from . import demo_readings


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    description: str
    roles: tuple[str, ...] = ()


def identity(person: Person) -> dict[str, object]:
    """As the local log-in page offers it (DEV_IDENTITIES)."""
    return {
        "sub": person.sub,
        "name": person.name,
        "description": person.description,
        "roles": list(person.roles),
    }


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
EDV_PENDING_ADMIN_2 = Person(
    "edv-admin-lena", "Lena Lambrechts", "administrator of Groen Licht CV (waiting for approval)"
)
CUSTOMER_SOLAR = Person(
    "klant-karel", "Karel Claes", "customer: digital electricity meter with solar panels"
)
CUSTOMER_GAS = Person("klant-greet", "Greet Goossens", "customer: gas meter")
CUSTOMER_BUSINESS = Person(
    "klant-bert", "Bert Bakker", "administrator of Bakkerij De Korst (AMR meter)"
)
CUSTOMER_RENEWING = Person(
    "klant-ann", "Ann Aerts", "customer: her mandate for Zonnig runs out in 60 days"
)

PEOPLE = (
    OPERATOR,
    EDV_API_ADMIN,
    EDV_API_MEMBER,
    EDV_PORTAL_ADMIN,
    EDV_PENDING_ADMIN,
    EDV_PENDING_ADMIN_2,
    CUSTOMER_SOLAR,
    CUSTOMER_GAS,
    CUSTOMER_BUSINESS,
    CUSTOMER_RENEWING,
)

EDV_API = DemoOrganisation(
    "0123456749", "Zonnig Advies BV", EDV_API_ADMIN.sub, (EDV_API_MEMBER.sub,)
)
EDV_PORTAL = DemoOrganisation("0765432146", "Warmte Coach VZW", EDV_PORTAL_ADMIN.sub)
EDV_PENDING = DemoOrganisation("0555555523", "Slim Verbruik NV", EDV_PENDING_ADMIN.sub)
EDV_PENDING_2 = DemoOrganisation("0666666647", "Groen Licht CV", EDV_PENDING_ADMIN_2.sub)
BAKERY = DemoOrganisation("0444444496", "Bakkerij De Korst", CUSTOMER_BUSINESS.sub)
ORGANISATIONS = (EDV_API, EDV_PORTAL, EDV_PENDING, EDV_PENDING_2, BAKERY)


def demo_ean(serial: int) -> str:
    data = f"54144882{serial:09d}"
    return data + str(gs1_check_digit(data))


@dataclass(frozen=True)
class DemoMeter:
    ean: str
    label: str
    energy: Energy
    meter_type: MeterType
    direction: Direction
    address: str
    meter_number: str
    grid_user: GridUser
    granter: str  # who grants its demo mandates


KAREL_ELECTRICITY = DemoMeter(
    demo_ean(101),
    "Karel: digital electricity, solar",
    Energy.ELECTRICITY,
    MeterType.DIGITAL,
    Direction.BOTH,
    "Zonnestraat 12, 9000 Gent",
    "1SAG1100042901",
    GridUser("person", CUSTOMER_SOLAR.sub),
    CUSTOMER_SOLAR.sub,
)
GREET_GAS = DemoMeter(
    demo_ean(102),
    "Greet: digital gas",
    Energy.GAS,
    MeterType.DIGITAL,
    Direction.OFFTAKE,
    "Lindelaan 3, 2000 Antwerpen",
    "2GAS0300017733",
    GridUser("person", CUSTOMER_GAS.sub),
    CUSTOMER_GAS.sub,
)
BAKERY_OFFTAKE = DemoMeter(
    demo_ean(103),
    "Bakery: AMR offtake EAN",
    Energy.ELECTRICITY,
    MeterType.AMR,
    Direction.OFFTAKE,
    "Marktplein 7, 3000 Leuven",
    "AMR7700112",
    GridUser("org", BAKERY.enterprise_number),
    CUSTOMER_BUSINESS.sub,
)
BAKERY_INJECTION = DemoMeter(
    demo_ean(104),
    "Bakery: AMR injection EAN",
    Energy.ELECTRICITY,
    MeterType.AMR,
    Direction.INJECTION,
    "Marktplein 7, 3000 Leuven",
    "AMR7700112",
    GridUser("org", BAKERY.enterprise_number),
    CUSTOMER_BUSINESS.sub,
)
BAKERY_GAS = DemoMeter(
    demo_ean(105),
    "Bakery: AMR gas",
    Energy.GAS,
    MeterType.AMR,
    Direction.OFFTAKE,
    "Marktplein 7, 3000 Leuven",
    "AMRG7700113",
    GridUser("org", BAKERY.enterprise_number),
    CUSTOMER_BUSINESS.sub,
)
# A customer who moved out three weeks ago: the move cut Zonnig's mandate short (R8), so Zonnig
# has data to delete, and the operators' console shows what the scenario truncated.
MOVED_AWAY = DemoMeter(
    demo_ean(106),
    "Jonas: moved out three weeks ago",
    Energy.ELECTRICITY,
    MeterType.DIGITAL,
    Direction.BOTH,
    "Stationsstraat 40, 8000 Brugge",
    "1SAG1100077310",
    GridUser("person", "klant-jonas"),
    "klant-jonas",
)
# Granted almost three years ago (not in MANDATES: _renewal_due grants it then).
RENEWING = DemoMeter(
    demo_ean(107),
    "Ann: Zonnig's mandate runs out in 60 days",
    Energy.ELECTRICITY,
    MeterType.DIGITAL,
    Direction.BOTH,
    "Kerkstraat 3, 9000 Gent",
    "1SAG1100077411",
    GridUser("person", CUSTOMER_RENEWING.sub),
    CUSTOMER_RENEWING.sub,
)
NEW_OCCUPANT = GridUser("person", "klant-lotte")
METERS = (
    KAREL_ELECTRICITY,
    GREET_GAS,
    BAKERY_OFFTAKE,
    BAKERY_INJECTION,
    BAKERY_GAS,
    MOVED_AWAY,
    RENEWING,
)
# (meter, EDV, granularity)
MANDATES = (
    (KAREL_ELECTRICITY, EDV_API, Granularity.QUARTER_HOUR),
    (KAREL_ELECTRICITY, EDV_PORTAL, Granularity.DAY),
    (GREET_GAS, EDV_API, Granularity.HOUR),
    (BAKERY_OFFTAKE, EDV_API, Granularity.QUARTER_HOUR),
    (BAKERY_INJECTION, EDV_API, Granularity.QUARTER_HOUR),
    (BAKERY_GAS, EDV_PORTAL, Granularity.HOUR),
    (MOVED_AWAY, EDV_API, Granularity.QUARTER_HOUR),
)


@dataclass
class Guide:
    """What a newcomer needs after `make run`."""

    people: tuple[Person, ...]
    organisations: tuple[DemoOrganisation, ...]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, path)
    machine_client: tuple[str, str, str] | None = None  # client id, secret, subscription key

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
            "Access points (EANs) with mandates:",
            *[f"  {meter.ean}  {meter.label}" for meter in METERS],
            "",
            "Demo identities (tokens valid 8 hours; more: POST /v1/dev/token {sub, name, roles}):",
        ]
        for person in self.people:
            token, _ = dev_issuer.mint(person.sub, person.name, list(person.roles), now)
            lines += [
                f"  {person.sub:<18} {person.description}",
                f"    curl -s -H 'Authorization: Bearer {token}' {base_url}/v1/me",
            ]
        if self.machine_client:
            client_id, secret, key = self.machine_client
            lines += [
                "",
                f"EDV machine API (ESCO v3) of {EDV_API.name}: base URL {base_url}/esco-live/v3",
                f"  (its sandbox, with POST /api/mandate/mock: {base_url}/esco-sbx/v3)",
                f"  TOKEN=$(curl -s {base_url}/oauth2/token -d grant_type=client_credentials \\",
                f"    -d client_id={client_id} -d client_secret={secret} | python3 -c "
                "'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
                f'  curl -s -H "Authorization: Bearer $TOKEN" '
                f"-H 'Ocp-Apim-Subscription-Key: {key}' {base_url}/esco-live/v3/api/mandate",
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
        # Consent requests send customers back to its site, or to this machine while trying out.
        return_url_roots=[f"https://{org.enterprise_number}.example/", "http://127.0.0.1:8000/"],
        now=now,
    )
    _, contract = onboarding.contract_pdf(org.admin, org.enterprise_number)
    onboarding.upload_signed_contract(org.admin, org.enterprise_number, contract, now)
    if approve:
        onboarding.approve(OPERATOR.sub, org.enterprise_number, now)


def _tariffs(now: datetime) -> None:
    """An example table (not real tariffs): a change on 1 January of this year."""
    this_year = date(brussels_date(now).year, 1, 1)

    def entry(start: date, end: date | None, scale: str) -> TariffEntry:
        factor = Decimal(scale)
        return TariffEntry(
            valid_from=start,
            valid_to=end,
            per_ean_day={
                Granularity.DAY: Decimal("0.0100") * factor,
                Granularity.HOUR: Decimal("0.0200") * factor,
                Granularity.QUARTER_HOUR: Decimal("0.0300") * factor,
            },
            yearly_fee=Decimal("120.00") * factor,
            per_exported_ean=Decimal("0.0500") * factor,
            decision=f"Voorbeeld {start.year} (geen echt tarief)",
        )

    previous = date(this_year.year - 3, 1, 1)
    table = [entry(previous, this_year, "1"), entry(this_year, None, "1.05")]
    usage.change_tariffs(table, 0, OPERATOR.sub, now)


def _meters_and_mandates(now: datetime) -> None:
    today = brussels_date(now)
    since = date(today.year - 3, 1, 1)
    for meter in METERS:
        access_points.register(
            meter.ean,
            access_points.Registration(
                energy=meter.energy,
                meter_type=meter.meter_type,
                direction=meter.direction,
                address=meter.address,
                meter_number=meter.meter_number,
                grid_user=meter.grid_user,
                grid_user_since=since,
            ),
            now,
        )
    for meter, edv, granularity in MANDATES:
        request = mandates.GrantRequest(
            edv=edv.enterprise_number,
            ean=meter.ean,
            granularity=granularity,
            period_start=date(today.year - 2, 1, 1),
            period_end=today + timedelta(days=366),
        )
        mandates.grant(meter.granter, request, now)


def _renewal_due(now: datetime) -> None:
    """Ann's mandate for Zonnig was granted almost three years ago: 60 days are left, so Zonnig's
    meter page offers to ask her to renew, and "Mijn mandaten" offers her to renew."""
    granted_at = now - (rules.valid_until(now) - now) + timedelta(days=60)
    request = mandates.GrantRequest(
        edv=EDV_API.enterprise_number,
        ean=RENEWING.ean,
        granularity=Granularity.QUARTER_HOUR,
        period_start=brussels_date(granted_at),
        period_end=brussels_date(now) + timedelta(days=366),
    )
    mandates.grant(RENEWING.granter, request, granted_at)


def _moved_away(now: datetime) -> None:
    moved_on = brussels_date(now) - timedelta(days=21)
    market.report(MOVED_AWAY.ean, Scenario.MOVE_IN, moved_on, NEW_OCCUPANT, now)


def _access_history(now: datetime) -> None:
    """Six weeks of reads of Karel's data, as "Mijn mandaten" shows them: Zonnig's staff now and
    then in the portal, Zonnig's software every night through the API, Warmte Coach weekly."""
    ean = KAREL_ELECTRICITY.ean
    zonnig = entitlements.of(EDV_API.enterprise_number, ean, now).mandate
    warmte = entitlements.of(EDV_PORTAL.enterprise_number, ean, now).mandate
    for days_ago in range(42, 0, -1):
        night = now - timedelta(days=days_ago, hours=now.hour - 2)
        day = brussels_date(night)
        access_log.record(
            zonnig,
            range_from=(day - timedelta(days=1)).isoformat(),
            range_to=day.isoformat(),
            resolution="daily+hourly_quarterhourly",
            what="energy (readTime)",
            face="api",
            now=night,
        )
        if days_ago % 5 == 0:  # a person clicking through Dag, Week and Maand
            afternoon = night + timedelta(hours=12)
            for click, (first, resolution) in enumerate(
                ((day - timedelta(days=1), "quarter_hour"), (day - timedelta(days=7), "hour"))
            ):
                access_log.record(
                    zonnig,
                    range_from=first.isoformat(),
                    range_to=day.isoformat(),
                    resolution=resolution,
                    what="volumes",
                    face="portal",
                    now=afternoon + timedelta(minutes=3 * click),
                )
        if days_ago % 7 == 0:
            access_log.record(
                warmte,
                range_from=day.replace(day=1).isoformat(),
                range_to=day.isoformat(),
                resolution="day",
                what="volumes",
                face="portal",
                now=night + timedelta(hours=8),
            )


def load(now: datetime | None = None) -> Guide:
    now = now or datetime.now(UTC)
    for org in ORGANISATIONS:
        kbo.link_person(org.enterprise_number, org.admin, Role.ADMIN, org.name, now)
        for member in org.members:
            kbo.link_person(org.enterprise_number, member, Role.MEMBER, org.name, now)
    _become_edv(EDV_API, Channel.PORTAL_AND_API, approve=True, now=now)
    _become_edv(EDV_PORTAL, Channel.PORTAL, approve=True, now=now)
    _become_edv(EDV_PENDING, Channel.PORTAL, approve=False, now=now)
    _become_edv(EDV_PENDING_2, Channel.PORTAL_AND_API, approve=False, now=now)
    _meters_and_mandates(now)
    _renewal_due(now)
    _moved_away(now)
    _access_history(now)
    _tariffs(now)
    demo_readings.load(
        {
            "karel": KAREL_ELECTRICITY.ean,
            "greet": GREET_GAS.ean,
            "bakery_offtake": BAKERY_OFFTAKE.ean,
            "bakery_injection": BAKERY_INJECTION.ean,
            "bakery_gas": BAKERY_GAS.ean,
        },
        brussels_date(now),
        now,
    )
    guide = Guide(PEOPLE, ORGANISATIONS)
    software = api_clients.create(
        EDV_API_ADMIN.sub, EDV_API.enterprise_number, "Demo software", None, now
    )
    assert software.client_secret is not None
    guide.machine_client = (
        software.client.client_id,
        software.client_secret,
        software.subscription_key,
    )
    guide.links.append(("Portal (log in as any demo identity)", "/"))
    for org in (EDV_API, EDV_PORTAL):
        path = pages.edv_path(org.enterprise_number)
        guide.links += [
            (f"Stappenplan {org.name}", f"{path}/stappenplan"),
            ("  printable", f"{path}/stappenplan/afdrukken"),
            ("  consent page", f"{path}/toegang"),
        ]
    guide.links += [
        ("Customer: Mijn mandaten", "/verbruik/mandaten/"),
        ("EDV: services, wizard, meters", "/verbruik/dienstverlener/"),
        ("EDV: Meters van anderen", "/verbruik/meters-van-anderen/"),
        ("EDV: API clients, sandbox, webhooks", "/verbruik/dienstverlener/api/"),
        ("EDV: changes and data to delete", "/verbruik/dienstverlener/te-verwijderen/"),
        ("Operators: Beheer (Olivia)", "/beheer/"),
        ("Any page in French or English", "/?lang=fr  /?lang=en"),
    ]
    return guide
