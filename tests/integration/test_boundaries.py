"""Boundary values on every operation of both faces, and none answers 5xx: dates and instants at
the calendar's ends (year 1, 9995, 9999), values longer than DynamoDB's key limits, empty and
negative values, in every path parameter, every query field and every body field. The caller is
whoever may reach the parsing: an operator who administers the EDV and is a grid user, or the
EDV's API client on the machine API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest

from chalicelib.api.application import production_operations
from chalicelib.services.oauth import ASSERTION_TYPE
from chalicelib.serving.routing import Operation
from tests.support.http import Http
from tests.support.machine import certificate_client, secret_client
from tests.support.readings import batch, day_readings
from tests.support.world import Customer, World, ean, grant, register_access_point

EDV = "0123456749"
SWEEPER = "sweeper"
CALENDAR_ENDS = [
    "0001-01-01",
    "0001-01-01T00:00:00Z",
    "9995-06-01",
    "9999-12-31",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59+14:00",
]
ODD = ["", "-1", "0", "x" * 3000, "1e999", "٣"]
LONG_ID = "9" * 3000  # above DynamoDB's 2,048-byte partition and 1,024-byte sort key limits
# Otherwise valid requests, so that one boundary value at a time gets past the other fields'
# checks and reaches the code behind them ({ean} and friends are filled in).
QUERIES = {
    "/v1/organisations/{en}/access-points/{ean}/volumes": {
        "from": "2025-01-01",
        "to": "2025-01-02",
        "resolution": "day",
    },
    "/v1/organisations/{en}/access-points/{ean}/peak-power": {
        "from": "2025-01-01",
        "to": "2025-02-01",
    },
    "/esco-live/v3/api/mandate/energy": {
        "ean": "{ean}",
        "periodType": "readTime",
        "from": "2025-01-01T00:00:00Z",
        "to": "2025-01-02T00:00:00Z",
    },
    "/esco-sbx/v3/api/mandate/energy": {
        "ean": "541448860000000028",
        "periodType": "readTime",
        "from": "2025-01-01T00:00:00Z",
        "to": "2025-01-02T00:00:00Z",
    },
    "/v1/ops/ingest-reports": {"day": "2025-01-01"},
    "/v1/ops/usage": {"month": "2025-01"},
    "/v1/organisations/{en}/usage": {"month": "2025-01"},
}
BODIES: dict[tuple[str, str], dict[str, object]] = {
    ("POST", "/v1/me/mandates"): {
        "edv": EDV,
        "ean": "{ean}",
        "granularity": "day",
        "period_start": "2024-01-01",
        "period_end": "2025-01-01",
    },
    ("POST", "/v1/ops/market-events"): {
        "ean": "{ean}",
        "scenario": "supplier_switch",
        "effective_date": "2025-06-01",
    },
    ("POST", "/v1/ops/jobs/{job}/run"): {"as_of": "2025-06-01T00:00:00Z"},
    ("POST", "/esco-sbx/v3/api/mandate/mock"): {
        "referenceNumber": "r",
        "ean": "541448860000000028",
        "dataServiceType": "VH_dag",
        "dataPeriodFrom": "2024-01-01T00:00:00Z",
        "dataPeriodTo": "2025-01-01T00:00:00Z",
        "mandateExpirationDate": "2027-01-01T00:00:00Z",
    },
}


@pytest.fixture
def prepared(http: Http) -> dict[str, str]:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    http.link(EDV, SWEEPER, "admin", "Zonnig")
    register_access_point(world, ean(1), grid_user={"sub": SWEEPER})
    sweeper = http.token(SWEEPER, roles=["ops"])
    mandate = grant(world, Customer(SWEEPER, sweeper), EDV, ean(1))
    start = (datetime.now(UTC) - timedelta(days=3)).date()
    http.post(
        "/v1/ops/readings", token=world.operator, json_body=batch(ean(1), day_readings(start))
    )
    client = secret_client(http, edv)
    return {
        "person": sweeper,
        "client": client.token(),
        "key": client.subscription_key,
        "en": EDV,
        "ean": ean(1),
        "mandate_id": str(mandate["id"]),
    }


def fields_of(model: object) -> list[str]:
    return [field.alias or name for name, field in getattr(model, "model_fields", {}).items()]


def concrete(path: str, values: dict[str, str]) -> str:
    fillers = {
        "en": values["en"],
        "ean": values["ean"],
        "mandate_id": values["mandate_id"],
        "job": "mandate-expiry",
    }
    return re.sub(r"\{(\w+)\}", lambda m: fillers.get(m.group(1), "unknown"), path)


def filled(template: Mapping[str, object], values: dict[str, str]) -> dict[str, object]:
    return {k: concrete(v, values) if isinstance(v, str) else v for k, v in template.items()}


def variants(operation: Operation, values: dict[str, str]) -> list[tuple[str, object]]:
    """(path with query, JSON body or None) for every boundary this operation can be given."""
    base = concrete(operation.path, values)
    found: list[tuple[str, object]] = []
    for name in re.findall(r"\{(\w+)\}", operation.path):
        found.append((concrete(operation.path.replace(f"{{{name}}}", LONG_ID), values), None))
    query = filled(QUERIES.get(operation.path, {}), values)
    for name in fields_of(operation.query):
        for value in CALENDAR_ENDS + ODD:
            found.append((f"{base}?{urlencode({**query, name: value})}", None))
    body = filled(BODIES.get((operation.method, operation.path), {}), values)
    for name in fields_of(operation.body):
        given: object
        for given in [*CALENDAR_ENDS, "", "x" * 3000, -1, None, [], {}]:
            found.append((base, {**body, name: given}))
    if operation.path == "/v1/ops/readings":  # the rows' own timestamps
        for value in CALENDAR_ENDS:
            rows = [{"start": value, "value": 1.0, "status": "validated"}]
            found.append((base, {**batch(values["ean"], []), "readings": rows}))
    if operation.body is not None:
        found += [(base, {}), (base, [])]
    return found


def test_no_boundary_value_gives_a_server_error(http: Http, prepared: dict[str, str]) -> None:
    failures, out_of_range = [], 0
    for operation in production_operations():
        machine = operation.path.startswith(("/esco-live", "/esco-sbx"))
        token = prepared["client"] if machine else prepared["person"]
        headers = {"Ocp-Apim-Subscription-Key": prepared["key"]} if machine else {}
        for target, body in variants(operation, prepared):
            answer = http.request(
                operation.method,
                quote(target, safe="/?=&%:+"),
                token=token,
                json_body=body,
                headers=headers,
            )
            out_of_range += b"2000-2100" in answer.body
            if answer.status >= 500:
                failures.append(
                    f"{operation.method} {target[:100]} {str(body)[:60]}: "
                    f"{answer.status} {answer.body[:160]!r}"
                )
    assert failures == [], "\n".join(failures)
    assert out_of_range > 40  # the values reached the parsing, which named the supported years


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": "tomorrow"},
        {"exp": 10**20},
        {"sub": ""},
        {"sub": "x" * 3000, "iss": "x" * 3000},
        {"jti": "j" * 3000},
        {"jti": 17},
        {"jti": ["a", "b"]},
        {"aud": 5},
        {"iss": None},
    ],
    ids=lambda claims: ",".join(claims),
)
def test_an_assertion_with_odd_claims_is_refused_not_a_crash(
    http: Http, claims: dict[str, object]
) -> None:
    """At /oauth2/token, before anyone is logged in: a client assertion whose claims have the
    wrong types or sizes is an invalid client (400/401), never a server error."""
    world = World(http)
    client = certificate_client(http, world.active(EDV, "Zonnig"))
    assertion = client.assertion(**claims)
    answer = client.token_request(
        grant_type="client_credentials",
        client_assertion_type=ASSERTION_TYPE,
        client_assertion=assertion,
    )
    assert answer.status in (400, 401), answer.body
    assert answer.json["error"] in ("invalid_client", "invalid_request")
