"""The ESCO wire words, without AWS: mandates, energy slices and refusals as the reference writes
them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.access_points import AccessPoint, GridUser, Tenure
from chalicelib.domain.errors import DomainError, FieldError
from chalicelib.domain.mandates import Mandate, valid_until
from chalicelib.domain.vocabulary import (
    Direction,
    Energy,
    Granularity,
    MandateStatus,
    MeterType,
    RenewalState,
)
from chalicelib.services.machine_api import EnergyAnswer, Series, Slice
from chalicelib.serving import esco_wire as wire

EAN = "541448820000000017"
GRANTED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def a_mandate(energy: Energy = Energy.ELECTRICITY, **changes: object) -> Mandate:
    fields: dict[str, object] = {
        "id": "m-1",
        "ean": EAN,
        "edv": "0123456749",
        "granularity": Granularity.QUARTER_HOUR,
        "period_start": date(2026, 3, 29),  # the spring clock change: midnight is 23:00Z before
        "period_end": date(2026, 10, 26),
        "granted_at": GRANTED,
        "valid_until": valid_until(GRANTED),
        "status": MandateStatus.ACTIVE,
        "granted_by": "klant",
        "grid_user": GridUser("person", "klant"),
        "energy": energy,
        "reference_number": "ref-7",
    }
    fields.update(changes)
    return Mandate(**fields)  # type: ignore[arg-type]


def test_a_mandate_in_the_reference_words() -> None:
    view = wire.mandate_view(a_mandate(), GRANTED)
    assert view == {
        "referenceNumber": "ref-7",
        "status": "Approved",
        "ean": EAN,
        "energyType": "E",
        "dataPeriodFrom": "2026-03-28T23:00:00Z",
        "dataPeriodTo": "2026-10-25T23:00:00Z",
        "dataServiceType": "VH_kwartier_uur",
        "mandateExpirationDate": "2029-03-01T09:30:00Z",
    }


def test_renewal_and_finish_follow_the_clock() -> None:
    mandate = a_mandate(energy=Energy.GAS, granularity=Granularity.HOUR)
    due = mandate.valid_until - timedelta(days=89)
    assert wire.mandate_view(mandate, due)["renewalStatus"] == "ToBeRenewed"
    assert wire.mandate_view(mandate, due)["energyType"] == "G"
    lapsed = wire.mandate_view(mandate, mandate.valid_until)
    assert (lapsed["status"], lapsed["renewalStatus"]) == ("Finished", "Expired")
    assert "renewalStatus" not in wire.mandate_view(mandate, mandate.valid_until - timedelta(91))


def test_wire_values_map_back_to_domain_values() -> None:
    assert wire.energy_of("G") is Energy.GAS
    assert wire.granularities_of(frozenset({"VH_dag"})) == {Granularity.DAY}
    assert wire.granularities_of(frozenset({"VH_kwartier_uur"})) == {
        Granularity.QUARTER_HOUR,
        Granularity.HOUR,
    }
    assert wire.renewal_of("RenewalRequested") is RenewalState.REQUESTED


def test_refusals_in_the_esco_error_shape() -> None:
    status, body = wire.error_body(DomainError("no_mandate", "x"), body_request=False)
    assert (status, body["type"], body["code"]) == (
        404,
        "MandatesNotFoundException",
        "Mandates.NotFound",
    )
    invalid = DomainError("validation_error", "x", errors=[FieldError("query", "Parameter 'a'.")])
    status, body = wire.error_body(invalid, body_request=True)
    assert (status, body["code"], body["validationErrorMessages"]) == (
        400,
        "ModelValidation.Failed",
        ["Parameter 'a'."],
    )


def test_a_digital_day_splits_day_and_night_and_gas_gives_m3_then_kwh() -> None:
    point = AccessPoint(
        EAN,
        Energy.ELECTRICITY,
        MeterType.DIGITAL,
        Direction.BOTH,
        "Straat 1",
        "1SAG1100000001",
        (Tenure(GridUser("person", "klant"), date(2020, 1, 1)),),
    )
    start = datetime(2026, 3, 28, 23, tzinfo=UTC)
    day = Slice(start, start + timedelta(hours=23), {"offtake": (9_500, 2)})
    day.day_night["offtake"] = (6_000, 3_500)
    view = wire.energy_view(
        EnergyAnswer(point, a_mandate(), None, [day], frozenset({Series.DAILY}), start, start)
    )
    meter = view["headpoint"]["physicalMeters"][0]
    assert view["headpoint"]["$type"] == "metering-on-meter"
    assert meter["meterID"] == "1SAG1100000001"
    assert meter["dailyEnergy"][0]["end"] == "2026-03-29T22:00:00Z"  # 23 hours
    assert meter["dailyEnergy"][0]["measurements"][0]["offtake"]["day"] == {
        "value": 6.0,
        "unit": "kWh",
        "validationState": "READ",
    }
    gas = AccessPoint(**{**point.__dict__, "energy": Energy.GAS, "direction": Direction.OFFTAKE})
    hour = Slice(start, start + timedelta(hours=1), {"offtake": (1_000, 1)}, gas_factor=10.5)
    view = wire.energy_view(
        EnergyAnswer(
            gas, a_mandate(Energy.GAS), [hour], None, frozenset({Series.FINE}), start, start
        )
    )
    measurements = view["headpoint"]["physicalMeters"][0]["hourlyEnergy"][0]["measurements"]
    assert measurements[0]["offtake"]["total"] == {
        "value": 1.0,
        "unit": "m3",
        "validationState": "EST",
    }
    assert measurements[1]["offtake"]["total"]["value"] == 10.5
    assert measurements[1]["offtake"]["total"]["gasConversionFactor"] == "C"
