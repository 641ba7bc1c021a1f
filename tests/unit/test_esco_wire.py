"""The ESCO wire words, without AWS: mandates, energy slices and refusals as the reference writes
them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.access_points import AccessPoint, GridUser, Tenure
from chalicelib.domain.brussels import GAS_DAY_HOUR, day_start_utc, slot_count
from chalicelib.domain.errors import DomainError, FieldError
from chalicelib.domain.mandates import Mandate, valid_until
from chalicelib.domain.readings import DaySeries
from chalicelib.domain.vocabulary import (
    Direction,
    Energy,
    Granularity,
    MandateStatus,
    MeterType,
    RenewalState,
)
from chalicelib.services.machine_api import EnergyAnswer, FineDay, Series, Slice
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
    hours = DaySeries.empty(date(2026, 3, 29), 60, GAS_DAY_HOUR)
    hours.values[0], hours.qualities[0] = 1_000, 1
    fine = FineDay(hours.day, GAS_DAY_HOUR, 60, 0, 24, (("offtake", hours),), gas_factor=10.5)
    view = wire.energy_view(
        EnergyAnswer(
            gas, a_mandate(Energy.GAS), [fine], None, frozenset({Series.FINE}), start, start
        )
    )
    view = orjson.loads(orjson.dumps(view))
    measurements = view["headpoint"]["physicalMeters"][0]["hourlyEnergy"][0]["measurements"]
    assert measurements[0]["offtake"]["total"] == {
        "value": 1.0,
        "unit": "m3",
        "validationState": "EST",
    }
    assert measurements[1]["offtake"]["total"]["value"] == 10.5
    assert measurements[1]["offtake"]["total"]["gasConversionFactor"] == "C"


# The fine series is written as text straight from the day arrays (esco_wire._fine_slices). Held
# here to what building it slot by slot, as dicts through the standard json module, gives: the
# same bytes, for both energies, both meter types, daylight-saving days and partial windows.


def _slot_by_slot(point: AccessPoint, days: list[FineDay]) -> bytes:
    on_meter = point.meter_type is MeterType.DIGITAL
    slices: list[dict[str, Any]] = []
    for fine in days:
        base = day_start_utc(fine.day, fine.day_hour)
        step = timedelta(minutes=fine.minutes)
        for index in range(fine.first, fine.stop):
            present = {
                channel: (series.values[index], series.qualities[index])
                for channel, series in fine.channels
                if index < len(series.qualities) and series.qualities[index]
            }
            if not present:
                continue
            if point.energy is Energy.GAS:
                value, quality = present["offtake"]
                state = wire.validation_state(quality, on_meter)
                kwh: dict[str, Any] = {
                    "value": round(round(value * fine.gas_factor) / 1000, 3),
                    "unit": "kWh",
                    "validationState": state,
                }
                if on_meter:
                    kwh["gasConversionFactor"] = "D" if fine.factor_definitive else "C"
                m3 = {"value": round(value / 1000, 3), "unit": "m3", "validationState": state}
                measurements = [{"offtake": {"total": kwh}}]
                if on_meter:
                    measurements.insert(0, {"offtake": {"total": m3}})
            else:
                measurements = [
                    {
                        channel: {
                            "total": {
                                "value": round(value / 1000, 3),
                                "unit": "kWh",
                                "validationState": wire.validation_state(quality, on_meter),
                            }
                        }
                        for channel, (value, quality) in present.items()
                    }
                ]
            start = base + step * index
            slices.append(
                {
                    "start": wire.utc(start),
                    "end": wire.utc(start + step),
                    "measurements": measurements,
                }
            )
    return json.dumps(slices, separators=(",", ":")).encode()


@st.composite
def fine_answers(draw: st.DrawFn) -> tuple[AccessPoint, list[FineDay]]:
    energy = draw(st.sampled_from(Energy))
    meter_type = draw(st.sampled_from([MeterType.DIGITAL, MeterType.AMR]))
    direction = (
        Direction.BOTH
        if energy is Energy.ELECTRICITY and meter_type is MeterType.DIGITAL
        else Direction.OFFTAKE
    )
    point = AccessPoint(
        EAN,
        energy,
        meter_type,
        direction,
        "Straat 1",
        "1SAG1100000001",
        (Tenure(GridUser("person", "klant"), date(2020, 1, 1)),),
    )
    minutes, hour = energy.slot_minutes, point.day_hour
    # Around the clock changes of 2026 (29 March, 25 October) and an ordinary day.
    days = draw(
        st.lists(
            st.sampled_from(
                [
                    date(2026, 3, 28),
                    date(2026, 3, 29),
                    date(2026, 3, 30),
                    date(2026, 10, 25),
                    date(2026, 10, 26),
                    date(2026, 6, 1),
                ]
            ),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    served = []
    for day in sorted(days):
        count = slot_count(day, minutes, hour)
        channels: list[tuple[str, DaySeries]] = []
        for channel in point.channels:
            if not draw(st.booleans()) and channels:
                continue
            series = DaySeries.empty(day, minutes, hour)
            for index in range(count):
                series.values[index] = (
                    draw(st.integers(-2_000, 2_147_483_647))
                    if index < 3
                    else (index * 7919) % 123_457
                )
                series.qualities[index] = draw(st.integers(0, 2)) if index < 5 else index % 3
            channels.append((channel.value, series))
        first = draw(st.integers(0, count))
        stop = draw(st.integers(first, count))
        factor = draw(st.floats(9.0, 12.5, allow_nan=False))
        served.append(
            FineDay(day, hour, minutes, first, stop, tuple(channels), factor, draw(st.booleans()))
        )
    return point, served


@settings(max_examples=150, deadline=None)
@given(fine_answers())
def test_the_fine_series_is_written_as_slot_by_slot_dicts_would_be(
    answer: tuple[AccessPoint, list[FineDay]],
) -> None:
    point, days = answer
    start = datetime(2026, 3, 28, tzinfo=UTC)
    energy = EnergyAnswer(
        point, a_mandate(point.energy), days, None, frozenset({Series.FINE}), start, start
    )
    view = wire.energy_view(energy)
    key = "hourlyEnergy" if point.energy is Energy.GAS else "quarterHourlyEnergy"
    holder = (
        view["headpoint"]["physicalMeters"][0]
        if point.meter_type is MeterType.DIGITAL
        else view["headpoint"]
    )
    assert orjson.dumps(holder[key]) == _slot_by_slot(point, days)
