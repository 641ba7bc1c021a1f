"""The public `fluvius-energy-api` package (PyPI), unchanged but for its base URL and token URL,
against the local stack: its software works with ours."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

# A dev dependency (requirements-dev.txt): missing, the test must fail, never skip.
import fluvius_energy_api as fluvius
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from fluvius_energy_api import auth as fluvius_auth
from fluvius_energy_api.models.enums import PeriodType

from chalicelib.domain.brussels import BRUSSELS
from tests.e2e.conftest import RunningStack
from tests.support.certificates import certificate

pytestmark = pytest.mark.e2e

EDV = "0123456749"
KAREL_DIGITAL, GREET_GAS, BAKERY_OFFTAKE, BAKERY_INJECTION = (
    "541448820000001012",
    "541448820000001029",
    "541448820000001036",
    "541448820000001043",
)
NO_MANDATE = "541448820000009995"  # a well-formed EAN no demo EDV holds a mandate on
TENANT = "edv-local"  # the Azure-style tenant the local stack accepts in client assertions


def _environment(base_url: str, face: str = "esco-live") -> Any:
    """The package takes its base URL from an enum member; we offer one of our own (the live
    face, or the sandbox's `esco-sbx`), which its code reads as it reads its own."""
    return enum.Enum("LocalEnvironment", {"LOCAL": f"{base_url}/{face}/v3"})["LOCAL"]


@pytest.fixture
def token_url(local_stack: RunningStack) -> Iterator[None]:
    original = fluvius_auth.AZURE_AD_TOKEN_URL
    fluvius_auth.AZURE_AD_TOKEN_URL = f"{local_stack.base_url}/oauth2/token"
    yield
    fluvius_auth.AZURE_AD_TOKEN_URL = original


def _new_client(stack: RunningStack, body: dict[str, str]) -> dict[str, str]:
    admin = stack.token_of("edv-admin-eva")
    answer = requests.post(
        f"{stack.base_url}/v1/organisations/{EDV}/api-clients",
        json=body,
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _contract(stack: RunningStack) -> str:
    admin = stack.token_of("edv-admin-eva")
    overview = requests.get(
        f"{stack.base_url}/v1/organisations/{EDV}/edv-application",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    ).json()
    return str(overview["contract_number"])


@pytest.fixture
def secret_credentials(local_stack: RunningStack) -> Any:
    created = _new_client(local_stack, {"name": "fluvius-energy-api, secret"})
    return fluvius.FluviusCredentials(
        subscription_key=created["subscription_key"],
        client_id=created["client_id"],
        tenant_id=TENANT,
        scope="edv/.default",
        data_access_contract_number=_contract(local_stack),
        client_secret=created["client_secret"],
    )


@pytest.fixture
def certificate_credentials(local_stack: RunningStack) -> Any:
    key, pem = certificate()
    created = _new_client(
        local_stack, {"name": "fluvius-energy-api, certificate", "certificate_pem": pem}
    )
    thumbprint = x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA1()).hex()  # noqa: S303
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return fluvius.FluviusCredentials(
        subscription_key=created["subscription_key"],
        client_id=created["client_id"],
        tenant_id=TENANT,
        scope="edv/.default",
        data_access_contract_number=_contract(local_stack),
        certificate_thumbprint=thumbprint,
        private_key=private_pem,
    )


@pytest.mark.parametrize("credentials", ["secret_credentials", "certificate_credentials"])
def test_the_public_client_lists_mandates_and_reads_energy(
    local_stack: RunningStack, token_url: None, credentials: str, request: pytest.FixtureRequest
) -> None:
    chosen = request.getfixturevalue(credentials)
    now = datetime.now(UTC).replace(microsecond=0)
    week_ago = now - timedelta(days=7)
    with fluvius.FluviusEnergyClient(
        credentials=chosen, environment=_environment(local_stack.base_url)
    ) as client:
        mandates = client.get_mandates().data.mandates
        eans = {m.ean for m in mandates}
        assert {KAREL_DIGITAL, GREET_GAS, BAKERY_OFFTAKE, BAKERY_INJECTION} <= eans
        # Other e2e tests on the same stack may have replaced some (those show as Finished),
        # declined or asked for some (Rejected, Requested).
        assert {m.status for m in mandates} <= {"Approved", "Finished", "Rejected", "Requested"}
        assert {m.ean for m in mandates if m.status == "Approved"} >= {
            KAREL_DIGITAL,
            GREET_GAS,
            BAKERY_OFFTAKE,
            BAKERY_INJECTION,
        }

        quarter = client.get_energy(
            KAREL_DIGITAL,
            PeriodType.READ_TIME,
            granularity="hourly_quarterhourly",
            from_date=week_ago.replace(tzinfo=None),
            to_date=(week_ago + timedelta(days=1)).replace(tzinfo=None),
        ).data.headpoint
        assert quarter.type_discriminator == "metering-on-meter"
        slices = quarter.physical_meters[0].quarter_hourly_energy
        assert len(slices) in (92, 96, 100)
        assert slices[0].measurements[0].offtake.total.unit == "kWh"
        assert slices[0].measurements[0].injection is not None

        # Whole Brussels days: a window that starts mid-day holds one day start fewer when the
        # clock change lies inside it and the hour is late (22:00-23:00 UTC).
        today = now.astimezone(BRUSSELS).date()
        first_day, end_day = today - timedelta(days=40), today - timedelta(days=10)

        def midnight(day: date) -> datetime:
            local = datetime(day.year, day.month, day.day, tzinfo=BRUSSELS)
            return local.astimezone(UTC).replace(tzinfo=None)

        daily = client.get_energy(
            KAREL_DIGITAL,
            PeriodType.READ_TIME,
            granularity="daily",
            from_date=midnight(first_day),
            to_date=midnight(end_day),
        ).data.headpoint
        days = daily.physical_meters[0].daily_energy
        assert len(days) == 30
        assert days[0].measurements[0].offtake.day is not None

        amr = client.get_energy(
            BAKERY_INJECTION,
            PeriodType.READ_TIME,
            granularity="hourly_quarterhourly",
            from_date=week_ago.replace(tzinfo=None),
            to_date=(week_ago + timedelta(hours=6)).replace(tzinfo=None),
        ).data.headpoint
        assert amr.type_discriminator == "metering-on-headpoint"
        # 24 quarter-hours, less any the demo data leaves missing (the API omits those).
        assert 20 <= len(amr.quarter_hourly_energy) <= 24
        assert all(
            m.offtake is None and m.injection is not None
            for s in amr.quarter_hourly_energy
            for m in s.measurements
        )

        with pytest.raises(fluvius.NotFoundError):
            client.get_energy(NO_MANDATE, PeriodType.READ_TIME)
        with pytest.raises(fluvius.ValidationError) as malformed:
            client.get_energy("5414", PeriodType.READ_TIME)
        assert malformed.value.status_code == 400


SANDBOX_GAS, SANDBOX_ELECTRICITY = "541448860000000011", "541448860000000028"


def test_the_public_client_mocks_mandates_and_reads_the_sandbox(
    local_stack: RunningStack, token_url: None, secret_credentials: object
) -> None:
    """The package's own sandbox flow: mock mandates, then mandates, quarter-hours, days, gas
    and the errors, against /esco-sbx/v3."""
    from fluvius_energy_api.models.enums import DataServiceType, MandateStatus

    now = datetime.now(UTC).replace(microsecond=0)
    week_ago = (now - timedelta(days=7)).replace(tzinfo=None)
    with fluvius.FluviusEnergyClient(
        credentials=secret_credentials,
        environment=_environment(local_stack.base_url, "esco-sbx"),
    ) as client:
        for ean, reference in ((SANDBOX_ELECTRICITY, "sbx-e"), (SANDBOX_GAS, "sbx-g")):
            created = client.create_mock_mandate(
                reference_number=reference,
                ean=ean,
                data_service_type=DataServiceType.VH_KWARTIER_UUR,
                data_period_from="2024-01-01T00:00:00Z",
                status=MandateStatus.APPROVED,
            )
            assert created.data.status == "success"
        mandates = client.get_mandates().data.mandates
        assert {(m.ean, m.status) for m in mandates} >= {
            (SANDBOX_ELECTRICITY, "Approved"),
            (SANDBOX_GAS, "Approved"),
        }
        quarter = client.get_energy(
            SANDBOX_ELECTRICITY,
            PeriodType.READ_TIME,
            granularity="hourly_quarterhourly",
            from_date=week_ago,
            to_date=week_ago + timedelta(days=1),
        ).data.headpoint
        slices = quarter.physical_meters[0].quarter_hourly_energy
        assert 85 <= len(slices) <= 100
        daily = client.get_energy(
            SANDBOX_ELECTRICITY,
            PeriodType.READ_TIME,
            granularity="daily",
            from_date=week_ago - timedelta(days=30),
            to_date=week_ago,
        ).data.headpoint
        assert len(daily.physical_meters[0].daily_energy) == 30
        gas = client.get_energy(
            SANDBOX_GAS,
            PeriodType.READ_TIME,
            granularity="hourly_quarterhourly",
            from_date=week_ago,
            to_date=week_ago + timedelta(days=1),
        ).data.headpoint
        hours = gas.physical_meters[0].hourly_energy
        assert 20 <= len(hours) <= 24
        assert {m.offtake.total.unit for m in hours[0].measurements} == {"m3", "kWh"}
        with pytest.raises(fluvius.NotFoundError):
            client.get_energy(NO_MANDATE, PeriodType.READ_TIME)
        with pytest.raises(fluvius.ValidationError):
            client.create_mock_mandate(
                reference_number="x", ean="5414", data_service_type=DataServiceType.VH_DAG
            )
