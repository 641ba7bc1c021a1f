"""What people are told matches what a mandate gives (domain/account.py): the EDV's view of an
access point, its purge duties, the customer's list, a decline and the bill all follow from one
account of each pair's mandates. Each test below is a problem users met, tried as they met it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.brussels import BRUSSELS
from chalicelib.domain.consent import MAX_DECLINED_EANS
from chalicelib.domain.mandates import CHANGES_PER_PAIR_PER_DAY
from chalicelib.domain.vocabulary import Granularity, Scenario
from chalicelib.services import mandates, market
from chalicelib.services import usage as usage_service
from tests.support.clock import brussels
from tests.support.http import Answer, Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import (
    Customer,
    Edv,
    World,
    customer_with_meter,
    ean,
    grant,
    register_access_point,
)

EDV = "0123456749"
OTHER = "0987654394"
BAKERY = "0456789034"
HOME, BOILER = ean(1), ean(2)  # Karel's electricity and gas meters
METER_NUMBER = "1SAG1100000292"  # what register_access_point gives every meter


@dataclass
class Scene:
    http: Http
    world: World
    edv: Edv
    other: Edv
    karel: Customer
    client: MachineClient
    other_client: MachineClient


@pytest.fixture
def scene(http: Http) -> Scene:
    world = World(http)
    edv, other = world.active(EDV, "Zonnig"), world.active(OTHER, "Andere")
    karel = customer_with_meter(world, "karel", HOME)
    register_access_point(
        world, BOILER, grid_user={"sub": "karel"}, energy="gas", direction="offtake"
    )
    return Scene(
        http, world, edv, other, karel, secret_client(http, edv), secret_client(http, other)
    )


def meter_view(scene: Scene, ean_code: str, token: str | None = None) -> dict[str, Any]:
    answer = scene.http.get(
        f"/v1/organisations/{EDV}/access-points/{ean_code}", token=token or scene.edv.member
    )
    assert answer.status == 200, answer.body
    return dict(answer.json)


def ask_as_co_occupant(scene: Scene, granularity: str = "day") -> Answer:
    return scene.http.post(
        "/v1/me/mandates",
        token=scene.http.token("anna", name="Anna"),
        json_body={
            "edv": EDV,
            "ean": HOME,
            "granularity": granularity,
            "period_start": "2024-01-01",
            "period_end": "2025-01-01",
            "meter_number": METER_NUMBER,
        },
    )


def consent_request(scene: Scene, client: MachineClient | None = None, **body: Any) -> str:
    client = client or scene.client
    edv = scene.edv if client is scene.client else scene.other
    contract = scene.http.get(
        f"/v1/organisations/{edv.enterprise_number}/edv-application", token=edv.member
    ).json["contract_number"]
    answer = client.post(
        "/shortUrlIdentifier",
        {
            "dataAccessContractNumber": contract,
            "referenceNumber": "offerte-7",
            "flow": "B2C",
            "dataServices": [{"dataServiceType": "VH_kwartier_uur"}],
            **body,
        },
    )
    assert answer.status == 200, answer.body
    return str(answer.json["data"]["shortUrlIdentifier"])


def duties(scene: Scene, status: str = "open") -> list[dict[str, Any]]:
    answer = scene.http.get(
        f"/v1/organisations/{EDV}/purge-duties?status={status}", token=scene.edv.member
    )
    assert answer.status == 200, answer.body
    return list(answer.json["items"])


# 1. A request never stands in for the mandate in force --------------------------------------


def test_a_refused_request_leaves_the_mandate_in_force_in_view(scene: Scene) -> None:
    active = grant(scene.world, scene.karel, EDV, HOME)  # quarter-hours
    asked = ask_as_co_occupant(scene)
    assert asked.json["status"] == "requested", asked.body
    refused = scene.http.post(f"/v1/me/mandates/{asked.json['id']}/refuse", token=scene.karel.token)
    assert refused.json["status"] == "rejected"
    view = meter_view(scene, HOME)
    assert (view["mandate"]["id"], view["mandate"]["status"]) == (active["id"], "active")
    assert [(r["id"], r["status"]) for r in view["requests"]] == [(asked.json["id"], "rejected")]
    assert view["previous_mandates"] == []
    assert view["may_read"] is True and view["address"] is not None
    assert view["holds"] == {
        "from": "2024-01-01",
        "to": "2027-01-01",
        "granularity": "quarter_hour",
    }
    assert view["purge_duties"] == []
    listed = scene.http.get(f"/v1/organisations/{EDV}/access-points", token=scene.edv.member)
    assert [(row["ean"], row["status"]) for row in listed.json["items"]] == [(HOME, "active")]


def test_a_declined_consent_request_leaves_the_mandate_in_force_and_says_so(scene: Scene) -> None:
    active = grant(scene.world, scene.karel, EDV, HOME)
    identifier = consent_request(scene)
    declined = scene.http.post(
        f"/v1/consent-sessions/{identifier}/decline",
        token=scene.karel.token,
        json_body={"eans": [HOME]},
    )
    assert declined.status == 201, declined.body
    view = meter_view(scene, HOME)
    assert (view["mandate"]["id"], view["mandate"]["status"]) == (active["id"], "active")
    assert [r["end_reason"] for r in view["requests"]] == ["declined_by_customer"]
    # The customer is told what stays shared with that EDV (and may stop it on its card).
    assert [m["id"] for m in declined.json["still_shared"]] == [active["id"]]


# 2. Purge duties, computed on the server ----------------------------------------------------


def test_a_renewal_leaves_no_duty_and_a_narrower_replacement_one_for_what_fell_out(
    scene: Scene,
) -> None:
    granted = brussels(2024, 1, 10, 9, 0)
    request = mandates.GrantRequest(
        EDV, HOME, Granularity.QUARTER_HOUR, date(2023, 1, 1), date(2030, 1, 1)
    )
    first = mandates.grant("karel", request, granted)
    mandates.renew("karel", first.id, granted + timedelta(days=1070))
    assert duties(scene) == []  # the same data, three more years
    mandates.grant("karel", request, granted + timedelta(days=1071))
    wider = mandates.GrantRequest(
        EDV, HOME, Granularity.QUARTER_HOUR, date(2022, 1, 1), date(2031, 1, 1)
    )
    widest = mandates.grant("karel", wider, granted + timedelta(days=1072))
    assert duties(scene) == []  # a replacement that keeps the same data, or more
    narrower = mandates.GrantRequest(EDV, HOME, Granularity.DAY, date(2024, 1, 1), date(2025, 1, 1))
    at = granted + timedelta(days=1073)  # 18 December 2026
    mandates.grant("karel", narrower, at)
    owed = [(d["from"], d["to"], d["keep"], d["reason"]) for d in duties(scene)]
    assert owed == [
        ("2022-01-01", "2024-01-01", None, "replaced"),  # fell out of the period
        ("2024-01-01", "2025-01-01", "day", "replaced"),  # days kept, quarter-hours go
        ("2025-01-01", "2026-12-19", None, "replaced"),  # up to the day it stopped
    ]
    assert {d["mandate_id"] for d in duties(scene)} == {widest.id}


def test_an_end_leaves_a_duty_for_the_whole_period_it_could_have_read(scene: Scene) -> None:
    mandate = grant(scene.world, scene.karel, EDV, HOME, period_end="2099-01-01")
    ended = scene.http.post(f"/v1/me/mandates/{mandate['id']}/end", token=scene.karel.token)
    assert ended.status == 200, ended.body
    today = datetime.now(BRUSSELS).date()
    [duty] = duties(scene)
    assert (duty["ean"], duty["mandate_id"], duty["from"], duty["to"], duty["keep"]) == (
        HOME,
        mandate["id"],
        "2024-01-01",
        (today + timedelta(days=1)).isoformat(),  # nothing later could have been fetched
        None,
    )
    assert duty["reason"] == "revoked_by_customer"
    view = meter_view(scene, HOME)
    assert view["may_read"] is False and view["holds"] is None and view["address"] is None
    assert [d["id"] for d in view["purge_duties"]] == [duty["id"]]
    feed = scene.http.get(f"/v1/organisations/{EDV}/mandate-events", token=scene.edv.member)
    [due] = [e for e in feed.json["items"] if e["type"] == "purge_due"]
    assert due["details"]["duty_id"] == duty["id"]


def test_a_scenario_reported_late_leaves_a_duty_from_its_effective_date(scene: Scene) -> None:
    now = datetime.now(UTC)
    today = now.astimezone(BRUSSELS).date()
    grant(scene.world, scene.karel, EDV, HOME, period_end="2099-01-01")
    effective = today - timedelta(days=20)
    market.report(HOME, Scenario.MOVE_OUT, effective, None, now)
    [duty] = duties(scene)
    assert (duty["from"], duty["to"], duty["reason"]) == (
        effective.isoformat(),
        (today + timedelta(days=1)).isoformat(),
        "period_truncated",
    )
    # Reported ahead of its date, a scenario leaves nothing to delete.
    grant(scene.world, scene.karel, EDV, BOILER, granularity="hour", period_end="2099-01-01")
    market.report(BOILER, Scenario.MOVE_OUT, today + timedelta(days=5), None, now)
    market.apply_due(now + timedelta(days=6))
    assert [d["ean"] for d in duties(scene)] == [HOME]


def test_an_administrator_confirms_a_duty_once_and_the_customer_sees_it(scene: Scene) -> None:
    mandate = grant(scene.world, scene.karel, EDV, HOME)
    scene.http.post(f"/v1/me/mandates/{mandate['id']}/end", token=scene.karel.token)
    [duty] = duties(scene)
    path = f"/v1/organisations/{EDV}/purge-duties/{duty['id']}/confirm"
    # Members read, administrators change; another EDV and made-up ids learn nothing.
    assert scene.http.post(path, token=scene.edv.member).status == 403
    assert scene.http.post(path, token=scene.other.admin).code == "not_a_member"
    elsewhere = f"/v1/organisations/{OTHER}/purge-duties/{duty['id']}/confirm"
    assert scene.http.post(elsewhere, token=scene.other.admin).code == "not_found"
    for forged in ("..%2F..%2Fx", "20990101000000-20240101-000000000000", duty["id"] + "0"):
        bad = f"/v1/organisations/{EDV}/purge-duties/{forged}/confirm"
        assert scene.http.post(bad, token=scene.edv.admin).code == "not_found"
    before = scene.http.get(f"/v1/me/mandates/{mandate['id']}", token=scene.karel.token).json
    assert before["purge"] == {"duties": 1, "confirmed": 0, "confirmed_at": None}
    confirmed = scene.http.post(path, token=scene.edv.admin)
    assert confirmed.status == 200 and confirmed.json["confirmed_at"] is not None
    again = scene.http.post(path, token=scene.edv.admin)
    assert again.json["confirmed_at"] == confirmed.json["confirmed_at"]
    assert duties(scene) == [] and len(duties(scene, "all")) == 1
    after = scene.http.get(f"/v1/me/mandates/{mandate['id']}", token=scene.karel.token).json
    assert after["purge"] == {
        "duties": 1,
        "confirmed": 1,
        "confirmed_at": confirmed.json["confirmed_at"],
    }


def test_the_machine_api_lists_and_confirms_its_own_duties_only(scene: Scene) -> None:
    mandate = grant(scene.world, scene.karel, EDV, HOME)
    scene.http.post(f"/v1/me/mandates/{mandate['id']}/end", token=scene.karel.token)
    listed = scene.client.get("/extensions/purge-duties")
    assert listed.status == 200, listed.body
    [duty] = listed.json["data"]["purgeDuties"]
    assert (duty["ean"], duty["from"], duty["keep"], duty["confirmedAt"]) == (
        HOME,
        "2024-01-01",
        None,
        None,
    )
    assert scene.other_client.get("/extensions/purge-duties").json["data"]["purgeDuties"] == []
    stolen = scene.other_client.post(f"/extensions/purge-duties/{duty['id']}/confirm", {})
    assert (stolen.status, stolen.json["code"]) == (404, "Resource.NotFound")
    confirmed = scene.client.post(f"/extensions/purge-duties/{duty['id']}/confirm", {})
    assert confirmed.status == 200 and confirmed.json["data"]["confirmedAt"] is not None
    assert scene.client.get("/extensions/purge-duties").json["data"]["purgeDuties"] == []
    every = scene.client.get("/extensions/purge-duties?status=all&pageSize=1")
    assert [d["id"] for d in every.json["data"]["purgeDuties"]] == [duty["id"]]


# 3. Declining discloses nothing ------------------------------------------------------------


def test_declining_as_a_whole_tells_the_edv_no_ean(scene: Scene) -> None:
    identifier = consent_request(scene)
    declined = scene.http.post(
        f"/v1/consent-sessions/{identifier}/decline", token=scene.karel.token, json_body={}
    )
    assert declined.status == 201, declined.body
    assert declined.json["mandates"] == [] and declined.json["still_shared"] == []
    told = [
        scene.http.get(f"/v1/organisations/{EDV}/mandate-events", token=scene.edv.member),
        scene.client.get("/mandate?referenceNumber=offerte-7"),
        scene.client.get(f"/extensions/consent-requests/{identifier}"),
    ]
    feed, by_reference, outcome = told
    assert [(e["type"], e["ean"], e["details"]) for e in feed.json["items"]] == [
        ("consent_declined", None, {"reference_number": "offerte-7"})
    ]
    assert (by_reference.status, by_reference.json["code"]) == (404, "Mandates.NotFound")
    assert (outcome.json["data"]["status"], outcome.json["data"]["referenceNumber"]) == (
        "declined",
        "offerte-7",
    )
    for answer in told:
        assert HOME.encode() not in answer.body and BOILER.encode() not in answer.body
    again = scene.http.post(
        f"/v1/consent-sessions/{identifier}/decline", token=scene.karel.token, json_body={}
    )
    assert (again.status, again.code) == (409, "conflict")
    other = scene.other_client.get(f"/extensions/consent-requests/{identifier}")
    assert other.status == 404
    opened = scene.http.get(f"/v1/consent-sessions/{identifier}")
    assert opened.json["declined_at"] is not None


# 4. Bounded transactions -------------------------------------------------------------------


def test_the_largest_decline_the_api_takes_fits_one_transaction(scene: Scene) -> None:
    bakery = scene.world.organisation(BAKERY, "Bakkerij")
    eans = [ean(100 + n) for n in range(MAX_DECLINED_EANS + 1)]
    for code in eans:
        register_access_point(scene.world, code, grid_user={"enterprise_number": BAKERY})
    identifier = consent_request(scene)
    path = f"/v1/consent-sessions/{identifier}/decline"
    too_many = scene.http.post(path, token=bakery.admin, json_body={"eans": eans})
    assert (too_many.status, too_many.code) == (422, "validation_error")
    declined = scene.http.post(path, token=bakery.admin, json_body={"eans": eans[:-1]})
    assert declined.status == 201, declined.body
    assert len(declined.json["mandates"]) == MAX_DECLINED_EANS
    rejected = scene.client.get("/mandate?referenceNumber=offerte-7").json["data"]["mandates"]
    assert len(rejected) == MAX_DECLINED_EANS


def test_a_request_without_data_services_can_be_declined(scene: Scene) -> None:
    identifier = consent_request(scene, dataServices=None)
    declined = scene.http.post(
        f"/v1/consent-sessions/{identifier}/decline",
        token=scene.karel.token,
        json_body={"eans": [HOME]},
    )
    assert declined.status == 201, declined.body
    assert declined.json["mandates"][0]["granularity"] == "day"


# 6. Billing and limits ---------------------------------------------------------------------


def test_re_grants_and_renewals_on_one_day_bill_the_day_once_and_are_limited(
    scene: Scene,
) -> None:
    first = brussels(2025, 3, 7, 9, 0)
    request = mandates.GrantRequest(
        EDV, HOME, Granularity.QUARTER_HOUR, date(2025, 1, 1), date(2026, 1, 1)
    )
    mandates.grant("karel", request, first)
    assert usage_service.of_edv(EDV, "2025-03").mandate_days[Granularity.QUARTER_HOUR] == 25
    for minutes in range(1, CHANGES_PER_PAIR_PER_DAY):
        mandates.grant("karel", request, first + timedelta(minutes=minutes))
    with pytest.raises(Exception) as limited:
        mandates.grant("karel", request, first + timedelta(hours=1))
    assert getattr(limited.value, "code", None) == "too_many_changes"
    assert usage_service.of_edv(EDV, "2025-03").mandate_days[Granularity.QUARTER_HOUR] == 25
    # The next day the pair takes changes again; the day it was held is still counted once.
    mandates.grant("karel", request, first + timedelta(days=1))
    assert usage_service.of_edv(EDV, "2025-03").mandate_days[Granularity.QUARTER_HOUR] == 25


def test_a_pair_past_its_changes_answers_429_with_retry_after(scene: Scene) -> None:
    for _ in range(CHANGES_PER_PAIR_PER_DAY):
        grant(scene.world, scene.karel, EDV, HOME)
    refused = scene.http.post(
        "/v1/me/mandates",
        token=scene.karel.token,
        json_body={
            "edv": EDV,
            "ean": HOME,
            "granularity": "day",
            "period_start": "2024-01-01",
            "period_end": "2025-01-01",
        },
    )
    assert (refused.status, refused.code, refused.json["limit"]) == (429, "too_many_changes", 5)
    assert 0 < int(refused.headers["retry-after"]) <= 25 * 3600
    # Ending is never limited: a customer may always withdraw consent.
    current = meter_view(scene, HOME)["mandate"]["id"]
    assert scene.http.post(f"/v1/me/mandates/{current}/end", token=scene.karel.token).status == 200
    # Another EDV on the same EAN has its own count.
    assert grant(scene.world, scene.karel, OTHER, HOME)["status"] == "active"


# 7. Members read, administrators change -------------------------------------------------------


def test_a_member_cannot_ask_for_a_renewal(scene: Scene) -> None:
    grant(scene.world, scene.karel, EDV, HOME)
    path = f"/v1/organisations/{EDV}/access-points/{HOME}/renewal-request"
    assert scene.http.post(path, token=scene.edv.member).status == 403
    assert scene.http.post(path, token=scene.edv.admin).code == "renewal_not_due"


# 8. Meter numbers are not a guessing game ----------------------------------------------------


def test_wrong_meter_numbers_are_limited_and_dates_of_others_never_echoed(scene: Scene) -> None:
    anna = scene.http.token("anna", name="Anna")
    body = {
        "edv": EDV,
        "ean": HOME,
        "granularity": "day",
        "period_start": "2019-01-01",  # before Karel's tenure (2020-01-01)
        "period_end": "2025-01-01",
        "meter_number": METER_NUMBER,
    }
    early = scene.http.post("/v1/me/mandates", token=anna, json_body=body)
    assert early.code == "period_before_grid_user"
    assert "2020" not in early.body.decode() and "grid_user_since" not in early.json
    for guess in range(5):
        wrong = {**body, "period_start": "2024-01-01", "meter_number": f"GUESS{guess}"}
        assert scene.http.post("/v1/me/mandates", token=anna, json_body=wrong).code == (
            "not_grid_user"
        )
    right = {**body, "period_start": "2024-01-01"}
    refused = scene.http.post("/v1/me/mandates", token=anna, json_body=right)
    assert (refused.status, refused.code) == (429, "too_many_attempts")
    assert int(refused.headers["retry-after"]) > 0
    # Somebody else's tries are their own.
    piet = scene.http.token("piet")
    assert scene.http.post("/v1/me/mandates", token=piet, json_body=right).status == 201
