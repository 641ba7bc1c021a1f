"""The machine API, wire-compatible with the ESCO API v3: mandates, energy, consent sessions,
the ESCO error bodies, subscription keys and rate limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.services import consent
from tests.support.clock import app_clock
from tests.support.http import Http
from tests.support.machine import MachineClient, secret_client
from tests.support.readings import batch, day_readings
from tests.support.world import (
    Customer,
    World,
    customer_with_meter,
    ean,
    grant,
    ingest,
    register_access_point,
)

EDV, OTHER = "0123456749", "0987654394"
DIGITAL, GAS, AMR_OFF, AMR_INJ = ean(1), ean(2), ean(3), ean(4)
DAY = date(2025, 3, 30)  # 92 quarter-hours


@pytest.fixture
def world(http: Http) -> World:
    world = World(http)
    world.edv = world.active(EDV, "Zonnig")
    world.other = world.active(OTHER, "Andere")
    karel = customer_with_meter(world, "karel", DIGITAL)
    grant(world, karel, EDV, DIGITAL, period_start="2025-01-01", period_end="2026-01-01")
    ingest(world, batch(DIGITAL, day_readings(DAY)))
    ingest(
        world,
        batch(DIGITAL, day_readings(DAY, value=0.002, status="estimated"), channel="injection"),
    )
    return world


@pytest.fixture
def client(http: Http, world: World) -> MachineClient:
    return secret_client(http, world.edv)


def test_mandates_in_the_esco_shape(http: Http, world: World, client: MachineClient) -> None:
    answer = client.get("/mandate")
    assert answer.status == 200
    assert answer.headers["ratelimit-limit"] == "600"
    body = answer.json
    assert set(body) == {"data", "_meta"} and body["_meta"]["fetchTime"].endswith("Z")
    [mandate] = body["data"]["mandates"]
    assert mandate == {
        "status": "Approved",
        "ean": DIGITAL,
        "energyType": "E",
        "dataPeriodFrom": "2024-12-31T23:00:00Z",
        "dataPeriodTo": "2025-12-31T23:00:00Z",
        "dataServiceType": "VH_kwartier_uur",
        "mandateExpirationDate": mandate["mandateExpirationDate"],
    }
    assert client.get("/mandate?status=Finished").status == 404
    assert client.get("/mandate?energyType=G").json["code"] == "Mandates.NotFound"
    assert client.get("/mandate?dataServiceTypes=VH_dag,VH_kwartier_uur").status == 200
    bad = client.get("/mandate?energyType=X")
    assert bad.status == 400
    assert bad.json == {
        "type": "AppValidationException",
        "code": "RequestModelValidation.Failed",
        "message": "Request model validation failed.",
        "validationErrorMessages": [
            "Parameter 'energyType' must be 'E' or 'G' (case-sensitive) or must be entirely ommitted."
        ],
    }


def test_quarter_hours_of_a_digital_meter_in_utc(
    http: Http, world: World, client: MachineClient
) -> None:
    answer = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=hourly_quarterhourly"
        f"&from=2025-03-29T23:00:00Z&to=2025-03-30T22:00:00Z"
    )
    assert answer.status == 200, answer.body
    headpoint = answer.json["data"]["headpoint"]
    assert (headpoint["$type"], headpoint["ean"], headpoint["energyType"]) == (
        "metering-on-meter",
        DIGITAL,
        "E",
    )
    [meter] = headpoint["physicalMeters"]
    assert (meter["seqNumber"], meter["meterID"]) == ("1", "1SAG1100000292")
    slices = meter["quarterHourlyEnergy"]
    assert len(slices) == 92 and "dailyEnergy" not in meter
    assert slices[0] == {
        "start": "2025-03-29T23:00:00Z",
        "end": "2025-03-29T23:15:00Z",
        "measurements": [
            {
                "offtake": {"total": {"value": 0.001, "unit": "kWh", "validationState": "READ"}},
                "injection": {"total": {"value": 0.002, "unit": "kWh", "validationState": "EST"}},
            }
        ],
    }
    assert (
        slices[8]["start"] == "2025-03-30T01:00:00Z"
    )  # 03:00 local: the hour from 2 to 3 never was


def test_daily_energy_with_day_and_night(http: Http, world: World, client: MachineClient) -> None:
    answer = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=daily"
        f"&from=2025-03-29T23:00:00Z&to=2025-03-31T22:00:00Z"
    )
    [meter] = answer.json["data"]["headpoint"]["physicalMeters"]
    [day] = meter["dailyEnergy"]  # only the 30th has data
    assert (day["start"], day["end"]) == ("2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z")
    offtake = day["measurements"][0]["offtake"]
    assert set(offtake) == {"day", "night"}  # a Sunday: all night tariff
    assert offtake["day"]["value"] == 0.0
    assert offtake["night"]["value"] == round(sum(range(1, 93)) / 1000, 3)


def test_an_amr_ean_answers_on_the_headpoint_with_its_own_direction(
    http: Http, world: World, client: MachineClient
) -> None:
    http.link("0444444496", "bert", "admin", "Bakkerij")
    bert = Customer("bert", http.token("bert"))
    register_access_point(
        world,
        AMR_INJ,
        grid_user={"enterprise_number": "0444444496"},
        meter_type="amr",
        direction="injection",
    )
    grant(world, bert, EDV, AMR_INJ, period_start="2025-01-01")
    ingest(world, batch(AMR_INJ, day_readings(DAY, value=5.0), channel="injection"))
    answer = client.get(
        f"/mandate/energy?ean={AMR_INJ}&periodType=readTime&from=2025-03-29T23:00:00Z&to=2025-03-30T22:00:00Z"
    )
    headpoint = answer.json["data"]["headpoint"]
    assert headpoint["$type"] == "metering-on-headpoint" and "physicalMeters" not in headpoint
    first = headpoint["quarterHourlyEnergy"][0]["measurements"]
    assert first == [
        {"injection": {"total": {"value": 5.0, "unit": "kWh", "validationState": "VAL"}}}
    ]
    assert headpoint["dailyEnergy"][0]["measurements"][0]["injection"]["night"]["value"] == 460.0


def test_gas_in_m3_and_kwh_with_its_factor(http: Http, world: World, client: MachineClient) -> None:
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    grant(world, greet, EDV, GAS, granularity="hour", period_start="2025-01-01")
    gas_day = DAY - timedelta(days=1)  # 06:00 on the Saturday to 06:00 after the clock change
    ingest(
        world,
        batch(
            GAS,
            day_readings(gas_day, 60, value=2.0),
            resolution="hour",
            unit="m3",
            conversion_factor=10.5,
        ),
    )
    answer = client.get(
        f"/mandate/energy?ean={GAS}&periodType=readTime&granularity=hourly_quarterhourly"
        f"&from=2025-03-29T05:00:00Z&to=2025-03-30T04:00:00Z"
    )
    [meter] = answer.json["data"]["headpoint"]["physicalMeters"]
    assert len(meter["hourlyEnergy"]) == 23
    assert meter["hourlyEnergy"][0]["start"] == "2025-03-29T05:00:00Z"  # 06:00 in winter
    assert meter["hourlyEnergy"][-1]["end"] == "2025-03-30T04:00:00Z"  # 06:00 in summer
    assert meter["hourlyEnergy"][0]["measurements"] == [
        {"offtake": {"total": {"value": 2.0, "unit": "m3", "validationState": "READ"}}},
        {
            "offtake": {
                "total": {
                    "value": 21.0,
                    "unit": "kWh",
                    "validationState": "READ",
                    "gasConversionFactor": "D",
                }
            }
        },
    ]


def test_insert_time_gives_what_changed_since(
    http: Http, world: World, client: MachineClient
) -> None:
    from datetime import UTC, datetime

    # A minute after the fixture's own ingest, on the app's clock: the window is to the second.
    stored_at = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)
    with app_clock(stored_at) as clock:
        ingest(world, batch(DIGITAL, day_readings(DAY + timedelta(days=2))))  # new: 1 April
        since = (stored_at - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        answer = client.get(
            f"/mandate/energy?ean={DIGITAL}&periodType=insertTime&granularity=hourly_quarterhourly&from={since}"
        )
        assert answer.status == 200, answer.body
        slices = answer.json["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"]
        assert {s["start"][:10] for s in slices} == {
            "2025-03-31",
            "2025-04-01",
        }  # 1 April, from 22:00Z on 31 March
        assert len(slices) == 96
        clock.instant = stored_at + timedelta(seconds=5)
        later = (stored_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        nothing = client.get(
            f"/mandate/energy?ean={DIGITAL}&periodType=insertTime&granularity=hourly_quarterhourly&from={later}"
        )
    assert nothing.json["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"] == []


def test_the_documented_errors(http: Http, world: World, client: MachineClient) -> None:
    no_mandate = client.get(f"/mandate/energy?ean={ean(9)}&periodType=readTime")
    assert no_mandate.status == 404
    assert no_mandate.json == {
        "type": "MandatesNotFoundException",
        "code": "Mandates.NotFound",
        "message": "No Mandates were found.",
    }
    malformed = client.get("/mandate/energy?ean=5414&periodType=readTime")
    assert malformed.status == 400
    assert malformed.json["validationErrorMessages"] == ["Parameter 'ean' must contain 18 digits."]
    missing = client.get("/mandate/energy?ean=" + DIGITAL)
    assert missing.json["validationErrorMessages"] == ["Parameter 'periodType' is mandatory."]


def test_every_rule_of_r9_holds_here_too(http: Http, world: World, client: MachineClient) -> None:
    other_client = secret_client(http, world.other)
    assert (
        other_client.get(f"/mandate/energy?ean={DIGITAL}&periodType=readTime").status == 404
    )  # not theirs
    outside = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&from=2026-02-01T00:00:00Z&to=2026-02-02T00:00:00Z"
    )
    # Outside the readable window: nothing, answered as nothing (clipped, as the portal does).
    assert outside.status == 200, outside.body
    assert outside.json["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"] == []
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    grant(world, greet, EDV, GAS, granularity="day", period_start="2025-01-01")
    fine = client.get(
        f"/mandate/energy?ean={GAS}&periodType=readTime&granularity=hourly_quarterhourly"
    )
    assert (fine.status, fine.json["code"]) == (403, "Mandate.GranularityNotConsented")
    mandate_id = http.get("/v1/me/mandates", token=greet.token).json["items"][0]["id"]
    http.post(f"/v1/me/mandates/{mandate_id}/end", token=greet.token)
    assert client.get(f"/mandate/energy?ean={GAS}&periodType=readTime").status == 404
    finished = client.get("/mandate?status=Finished").json["data"]["mandates"]
    assert [m["ean"] for m in finished] == [GAS]


def test_the_api_reads_are_in_the_customers_log(
    http: Http, world: World, client: MachineClient
) -> None:
    client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&from=2025-03-29T23:00:00Z&to=2025-03-30T22:00:00Z"
    )
    log = http.get("/v1/me/access-log", token=http.token("karel")).json["items"]
    assert [(e["face"], e["edv"]) for e in log] == [("api", EDV)]


def test_tokens_and_subscription_keys(http: Http, world: World, client: MachineClient) -> None:
    token = client.token()
    assert client.get("/mandate", token=token, subscription_key="wrong").status == 401
    other = secret_client(http, world.edv)
    assert (
        client.get("/mandate", token=token, subscription_key=other.subscription_key).status == 401
    )
    person = http.token("karel")
    answer = http.get(
        "/esco-live/v3/api/mandate",
        token=person,
        headers={"Ocp-Apim-Subscription-Key": client.subscription_key},
    )
    assert answer.status == 401 and answer.json["code"] == "Authorization.Failed"
    assert http.get("/esco-live/v3/api/mandate").status == 401


def test_rate_limits_answer_429_with_headers(
    http: Http, world: World, client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ESCO_RATE_LIMIT_PER_MINUTE", "3")
    token = client.token()
    remaining = []
    for _ in range(3):
        answer = client.get("/mandate", token=token)
        remaining.append(answer.headers["ratelimit-remaining"])
    limited = client.get("/mandate", token=token)
    if limited.status != 429:  # the minute turned over between requests: once more
        for _ in range(3):
            limited = client.get("/mandate", token=token)
    assert limited.status == 429
    assert limited.json["code"] == "RateLimit.Exceeded"
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-policy"] == "3;w=60"
    assert remaining[:2] == ["2", "1"] or remaining[-1] == "0"


def test_an_edvs_clients_share_one_rate_limit(
    http: Http, world: World, client: MachineClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More clients do not multiply what one EDV may ask: the EDV's own window counts them all,
    and the headers tell the window with the least left."""
    monkeypatch.setenv("ESCO_RATE_LIMIT_PER_MINUTE", "3")
    monkeypatch.setenv("ESCO_EDV_RATE_LIMIT_PER_MINUTE", "4")
    second = secret_client(http, world.edv)
    tokens = {id(client): client.token(), id(second): second.token()}
    callers = (client, client, second, second, second)  # the fifth: 3 of its own, 5 of the EDV
    for _attempt in range(3):  # again if the minute turned over between the requests
        answers = [one.get("/mandate", token=tokens[id(one)]) for one in callers]
        statuses = [answer.status for answer in answers]
        if statuses[-1] == 429:
            break
    assert 429 not in statuses[:4] and statuses[-1] == 429, statuses
    assert answers[-1].headers["ratelimit-policy"] == "4;w=60"
    assert answers[3].headers["ratelimit-remaining"] == "0"  # the EDV's window, not the client's


def test_an_edv_initiated_consent(http: Http, world: World, client: MachineClient) -> None:
    contract = http.get(f"/v1/organisations/{EDV}/edv-application", token=world.edv.member).json[
        "contract_number"
    ]
    answer = client.post(
        "/shortUrlIdentifier",
        {
            "dataAccessContractNumber": contract,
            "referenceNumber": "edv-ref-42",
            "flow": "B2C",
            "dataServices": [
                {
                    "dataServiceType": "VH_kwartier_uur",
                    "dataPeriodFrom": "2024-12-31T23:00:00Z",
                    "dataPeriodTo": "2025-12-31T23:00:00Z",
                }
            ],
            "returnUrlSuccess": "https://zonnig.example/ok",
            "returnUrlFailed": "https://zonnig.example/nok",
        },
    )
    assert answer.status == 200, answer.body
    data = answer.json["data"]
    assert data["status"] == "success" and len(data["shortUrlIdentifier"]) == 64
    session = http.get(f"/v1/consent-sessions/{data['shortUrlIdentifier']}").json
    assert (session["edv"], session["edv_name"], session["reference_number"]) == (
        EDV,
        "Zonnig",
        "edv-ref-42",
    )
    assert session["services"] == [
        {"granularity": "quarter_hour", "period_start": "2025-01-01", "period_end": "2026-01-01"}
    ]
    assert session["return_url_success"] == "https://zonnig.example/ok"
    anna = customer_with_meter(world, "anna", ean(7))
    granted = grant(
        world, anna, EDV, ean(7), "quarter_hour", "2025-01-01", "2026-01-01",
        session=data["shortUrlIdentifier"],
    )  # fmt: skip
    assert granted["reference_number"] == "edv-ref-42"
    listed = client.get("/mandate?referenceNumber=edv-ref-42").json["data"]["mandates"]
    assert [(m["ean"], m["referenceNumber"]) for m in listed] == [(ean(7), "edv-ref-42")]
    wrong = client.post(
        "/shortUrlIdentifier",
        {"dataAccessContractNumber": "DTC-0000000097-001", "referenceNumber": "x", "flow": "B2C"},
    )
    assert wrong.status == 400 and wrong.json["code"] == "ModelValidation.Failed"
    missing = client.post("/shortUrlIdentifier", {"referenceNumber": "x", "flow": "B2C"})
    assert missing.json["validationErrorMessages"] == [
        "Property 'dataAccessContractNumber' is mandatory."
    ]
    assert http.get("/v1/consent-sessions/nonsense").code == "not_found"
    # Found by make fuzz: an empty session once reached DynamoDB as an empty key (a 500).
    empty = http.post(
        "/v1/me/mandates",
        token=anna.token,
        json_body={
            "edv": EDV,
            "ean": ean(7),
            "granularity": "day",
            "period_start": "2025-01-01",
            "period_end": "2026-01-01",
            "session": "",
        },
    )
    assert (empty.status, empty.code) == (422, "validation_error")
    with pytest.raises(DomainError) as unknown:
        consent.get("", datetime.now(UTC))
    assert unknown.value.code == "not_found"


def test_queries_bind_as_the_reference_framework_binds_them(
    http: Http, world: World, client: MachineClient
) -> None:
    """ASP.NET Core: names and enum values in any case, unknown names ignored."""
    assert client.get("/mandate?EnergyType=G").status == 404  # a filter, not ignored
    assert client.get("/mandate?energytype=e&STATUS=approved&unknown=1").status == 200
    day = f"from={DAY}&to={DAY + timedelta(days=1)}"
    pascal = client.get(
        f"/mandate/energy?EAN={DIGITAL}&PeriodType=readTime&Granularity=daily&{day}"
    )
    lower = client.get(f"/mandate/energy?ean={DIGITAL}&periodtype=READTIME&granularity=DAILY&{day}")
    assert pascal.status == lower.status == 200
    assert pascal.json["data"] == lower.json["data"]


def test_dates_alone_are_brussels_days_and_java_zones_are_understood(
    http: Http, world: World, client: MachineClient
) -> None:
    meter = "physicalMeters"
    daily = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=daily"
        f"&from={DAY}&to={DAY + timedelta(days=1)}"
    )
    [slice_] = daily.json["data"]["headpoint"][meter][0]["dailyEnergy"]
    assert (slice_["start"], slice_["end"]) == ("2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z")
    zoned = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=hourly_quarterhourly"
        "&from=2025-03-30T00:00:00%2B01:00[Europe/Brussels]"
        "&to=2025-03-31T00:00:00%2B02:00[Europe/Brussels]"
    )
    assert zoned.status == 200, zoned.body
    assert len(zoned.json["data"]["headpoint"][meter][0]["quarterHourlyEnergy"]) == 92
    unknown = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&from=2025-03-30T00:00:00[Mars/Base]"
    )
    assert unknown.json["validationErrorMessages"] == [
        "Parameter 'from' must be a date and time (ISO 8601)."
    ]


def test_a_malformed_ean_says_what_is_wrong(
    http: Http, world: World, client: MachineClient
) -> None:
    wrong_digit = DIGITAL[:-1] + str((int(DIGITAL[-1]) + 1) % 10)
    answer = client.get(f"/mandate/energy?ean={wrong_digit}&periodType=readTime")
    [message] = answer.json["validationErrorMessages"]
    assert message.startswith("Parameter 'ean' has a wrong check digit")
    assert message.endswith(f"ends in {DIGITAL[-1]}.")
    letters = client.get("/mandate/energy?ean=54144882000000001X&periodType=readTime")
    assert letters.json["validationErrorMessages"] == ["Parameter 'ean' must contain 18 digits."]


def test_a_daily_sync_keeps_working_after_a_truncation_into_the_past(
    http: Http, world: World, client: MachineClient
) -> None:
    """A move reported late cuts the period at a past date: the EDV's next daily call is an empty
    200, not an error; a mandate a scenario emptied before its period began is not found."""
    answer = http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": DIGITAL, "scenario": "move_out", "effective_date": "2025-06-01"},
    )
    assert answer.status == 201 and answer.json["mandates_truncated"] == 1
    sync = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=daily"
        "&from=2025-07-01&to=2025-07-02"
    )
    assert sync.status == 200, sync.body
    assert sync.json["data"]["headpoint"]["physicalMeters"][0]["dailyEnergy"] == []
    before = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=daily"
        f"&from={DAY}&to={DAY + timedelta(days=1)}"
    )
    assert len(before.json["data"]["headpoint"]["physicalMeters"][0]["dailyEnergy"]) == 1
    greet = customer_with_meter(world, "greet", GAS, energy="gas", direction="offtake")
    grant(world, greet, EDV, GAS, granularity="day", period_start="2026-01-01")
    http.post(
        "/v1/ops/market-events",
        token=world.operator,
        json_body={"ean": GAS, "scenario": "move_out", "effective_date": "2025-12-01"},
    )
    emptied = client.get(f"/mandate/energy?ean={GAS}&periodType=readTime&granularity=daily")
    assert (emptied.status, emptied.json["code"]) == (404, "Mandates.NotFound")


def test_a_year_of_quarter_hours_fits_through_lambda_with_gzip(
    http: Http, world: World, client: MachineClient
) -> None:
    """366 days of a digital meter's quarter-hours, both channels, is about 8 MB of JSON: more
    than Lambda can return. Compressed it fits; uncompressed the caller is told what to do."""
    import gzip
    import json

    from tests.support.readings import days_readings

    first, end = date(2025, 1, 1), date(2026, 1, 1)
    for channel in ("offtake", "injection"):
        ingest(world, batch(DIGITAL, days_readings(first, end, value=0.125), channel=channel))
    query = (
        f"/mandate/energy?ean={DIGITAL}&periodType=readTime&granularity=hourly_quarterhourly"
        "&from=2024-12-31T23:00:00Z&to=2025-12-31T23:00:00Z"
    )
    token = client.token()
    plain = client.get(query, token=token)
    assert plain.status == 400, plain.status
    [message] = plain.json["validationErrorMessages"]
    assert "Accept-Encoding: gzip" in message
    compressed = http.get(
        f"/esco-live/v3/api{query}",
        token=token,
        headers={"Ocp-Apim-Subscription-Key": client.subscription_key, "Accept-Encoding": "gzip"},
    )
    assert compressed.status == 200 and compressed.headers["content-encoding"] == "gzip"
    assert len(compressed.body) < 4_000_000
    body = json.loads(gzip.decompress(compressed.body))
    slices = body["data"]["headpoint"]["physicalMeters"][0]["quarterHourlyEnergy"]
    assert len(slices) == 365 * 96  # 2025: 92 + 100 on its clock-change days
    insert_window = client.get(
        f"/mandate/energy?ean={DIGITAL}&periodType=insertTime&from=2025-01-01&to=2025-03-01",
        token=token,
    )
    assert "at most 31 days" in insert_window.json["validationErrorMessages"][0]
