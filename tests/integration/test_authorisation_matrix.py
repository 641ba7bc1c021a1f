"""The authorisation matrix: every route of both faces × every kind of caller.

The routes come from the route table itself (`production_operations()` and the local-only dev
routes), so a new route without an entry in `POLICY` fails `test_every_route_has_a_policy`.
For each route the denied callers go first, on the same target the allowed callers then use; a
denied caller that changed something would show up as a 2xx. Denied means 401 for callers without
valid credentials, otherwise 401, 403 or 404 as problem+json; allowed means a 2xx unless the
entry names the status (a 409 where the target's state, not the caller, refuses).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.api import dev
from chalicelib.api.application import production_operations
from chalicelib.domain.identifiers import enterprise_number_check
from tests.integration.test_dev_login import (
    REDIRECT,
    VERIFIER,
    authorize,
    code_of,
    request_params,
)
from tests.support.http import Answer, Http
from tests.support.machine import MachineClient, secret_client
from tests.support.readings import batch, day_readings
from tests.support.tokens import signed_by_dev_issuer
from tests.support.world import Customer, Edv, World, a_pdf, ean, grant, register_access_point

ANONYMOUS = "anonymous"
CUSTOMER = "customer"  # granted the mandate, as administrator of the grid-user organisation
OTHER_CUSTOMER = "other customer"
GRID_USER = "grid user"  # another administrator of the grid-user organisation
EDV_ADMIN = "edv administrator"
EDV_MEMBER = "edv member"
OTHER_EDV = "other edv"
PENDING_EDV = "edv not yet active"
OPERATOR = "operator"
CLIENT = "api client"
OTHER_CLIENT = "other edv's api client"
EXPIRED = "expired token"

CALLERS = (
    ANONYMOUS,
    CUSTOMER,
    OTHER_CUSTOMER,
    GRID_USER,
    EDV_ADMIN,
    EDV_MEMBER,
    OTHER_EDV,
    PENDING_EDV,
    OPERATOR,
    CLIENT,
    OTHER_CLIENT,
    EXPIRED,
)
NO_CREDENTIALS = (ANONYMOUS, EXPIRED)
CLIENTS = (CLIENT, OTHER_CLIENT)
PERSONS = tuple(caller for caller in CALLERS if caller not in (*NO_CREDENTIALS, *CLIENTS))
# Callers with no business seeing anything of the mandate on METER, its customer or grid user.
STRANGERS = (ANONYMOUS, OTHER_CUSTOMER, OTHER_EDV, PENDING_EDV, OTHER_CLIENT, EXPIRED)
EDV_STAFF = (EDV_ADMIN, EDV_MEMBER)
GRID_SIDE = (CUSTOMER, GRID_USER)

EDV = "0123456749"
RETIRING_EDV = "0765432146"  # also run by the EDV's staff; the one that terminates
OTHER = "0200000043"
PENDING = "0300000016"
GRID_ORG = "0444444496"
METER = ean(811)  # the mandate everything reads
SPARE_METER = ean(812)  # grants that must not disturb METER's mandate
ENDING_METER = ean(813)  # mandates made to be ended
GREET_METER = ean(814)
REQUESTER = "bart-peeters"


def enterprise_number(serial: int) -> str:
    first = f"09{serial:06d}"
    return f"{first}{enterprise_number_check(first):02d}"


@dataclass
class Request:
    path: dict[str, str] = field(default_factory=dict)
    query: str = ""
    json_body: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Matrix:
    http: Http
    world: World
    tokens: dict[str, str]
    clients: dict[str, MachineClient]
    mandate_id: str
    edv: Edv
    customer: Customer
    contract: str = ""
    session_id: str = ""
    report_id: str = ""
    export_id: str = ""
    duty_id: str = ""
    webhook: Request = field(default_factory=Request)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def fresh(self) -> int:
        return next(self.counter)

    def call(self, caller: str, method: str, template: str, request: Request) -> Answer:
        path = template
        for name, value in request.path.items():
            path = path.replace("{" + name + "}", value)
        if request.query:
            path = f"{path}?{request.query}"
        headers = dict(request.headers)
        token = self.tokens.get(caller)
        if caller in self.clients:
            headers["Ocp-Apim-Subscription-Key"] = self.clients[caller].subscription_key
            headers.setdefault("Accept", "application/json")
        return self.http.request(
            method,
            path,
            token=token,
            json_body=request.json_body,
            body=request.body,
            headers=headers,
        )


Build = Callable[[Matrix], Request]


@dataclass(frozen=True)
class Policy:
    allowed: dict[str, int | None]  # caller -> expected status, None for any 2xx
    build: Build = lambda m: Request()
    fresh: bool = False  # build a new target for every allowed caller
    refusals: dict[str, int] = field(default_factory=dict)  # a refusal with another status


def allow(*callers: str, status: int | None = None) -> dict[str, int | None]:
    return dict.fromkeys(callers, status)


def everyone() -> dict[str, int | None]:
    return allow(*CALLERS)


def form(values: dict[str, str]) -> Request:
    return Request(
        body=urlencode(values).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


# Builders for targets that a successful call uses up ----------------------------------------


def a_delegation(m: Matrix) -> Request:
    sub = f"leaver-{m.fresh()}"
    assert m.call(EDV_ADMIN, "PUT", f"/v1/organisations/{EDV}/members/{sub}", member()).status < 300
    return Request(path={"en": EDV, "sub": sub})


def member() -> Request:
    return Request(json_body={"role": "member"})


def a_signed_application(m: Matrix) -> Request:
    en = enterprise_number(m.fresh())
    m.world.signed(en, f"Kandidaat {en}")
    return Request(path={"en": en})


def a_rejectable_application(m: Matrix) -> Request:
    request = a_signed_application(m)
    request.json_body = {"reason": "Onvolledig dossier"}
    return request


def an_api_client(m: Matrix) -> Request:
    client = secret_client(m.http, m.edv)
    return Request(path={"en": EDV, "client_id": client.client_id})


def a_fresh_meter(m: Matrix) -> str:
    """An EAN of the grid-user organisation of its own: a pair takes five changes a day."""
    meter = ean(1000 + m.fresh())
    register_access_point(m.world, meter, grid_user={"enterprise_number": GRID_ORG})
    return meter


def a_requested_mandate(m: Matrix) -> Request:
    """A consent a member of the grid-user organisation asked for: the grid side decides."""
    answer = m.http.post(
        "/v1/me/mandates",
        token=m.http.token(REQUESTER, "Bart Peeters"),
        json_body={
            "edv": EDV,
            "ean": a_fresh_meter(m),
            "granularity": "day",
            "period_start": "2024-01-01",
            "period_end": "2025-01-01",
        },
    )
    assert (answer.status, answer.json["status"]) == (201, "requested"), answer.body
    return Request(path={"mandate_id": answer.json["id"]})


def a_declined_session(m: Matrix) -> Request:
    """A request is declined once: each caller allowed to gets a request of its own."""
    session = m.call(CLIENT, "POST", "/esco-live/v3/api/shortUrlIdentifier", a_session_body(m))
    assert session.status == 200, session.body
    identifier = session.json["data"]["shortUrlIdentifier"]
    return Request(path={"identifier": identifier}, json_body={"eans": [SPARE_METER]})


def a_mandate_to_end(m: Matrix) -> Request:
    customer = m.customer
    mandate = grant(m.world, customer, EDV, a_fresh_meter(m))
    return Request(path={"mandate_id": str(mandate["id"])})


def an_export(m: Matrix) -> Request:
    return Request(path={"export_id": m.export_id})


def a_webhook(m: Matrix) -> Request:
    answer = m.call(EDV_ADMIN, "POST", f"/v1/organisations/{EDV}/webhooks", a_webhook_body(m))
    assert answer.status == 201, answer.body
    return Request(path={"en": EDV, "endpoint_id": answer.json["id"]})


def a_webhook_body(m: Matrix) -> Request:
    return Request(json_body={"url": "http://127.0.0.1:9/hook", "event_types": ["granted"]})


def a_consent_session(m: Matrix) -> Request:
    return Request(path={"identifier": m.session_id})


def a_session_body(m: Matrix) -> Request:
    return Request(
        json_body={
            "dataAccessContractNumber": m.contract,
            "referenceNumber": "matrix",
            "flow": "B2C",
            "dataServices": [
                {
                    "dataServiceType": "VH_dag",
                    "dataPeriodFrom": "2024-12-31T23:00:00Z",
                    "dataPeriodTo": "2025-12-31T23:00:00Z",
                }
            ],
            "returnUrlSuccess": "https://zonnig.example/ok",
            "returnUrlFailed": "https://zonnig.example/nok",
        }
    )


SANDBOX_EAN = "541448860000000028"  # a digital electricity meter in the sandbox
SANDBOX_QUERY = urlencode({"ean": SANDBOX_EAN, "periodType": "readTime", "granularity": "daily"})


def a_mock_body(m: Matrix) -> Request:
    return Request(
        json_body={"referenceNumber": "matrix", "ean": SANDBOX_EAN, "dataServiceType": "VH_dag"}
    )


def a_token_form(m: Matrix) -> Request:
    client = m.clients[CLIENT]
    assert client.secret is not None
    return form(
        {
            "grant_type": "client_credentials",
            "client_id": client.client_id,
            "client_secret": client.secret,
            "scope": "edv/.default",
        }
    )


def an_authorization_code(m: Matrix) -> Request:
    return form(
        {
            "grant_type": "authorization_code",
            "code": code_of(authorize(m.http)),
            "redirect_uri": REDIRECT,
            "client_id": "edv-portal",
            "code_verifier": VERIFIER,
        }
    )


def a_tariff_table(m: Matrix) -> Request:
    current = m.call(OPERATOR, "GET", "/v1/ops/tariffs", Request()).json
    return Request(
        json_body={
            "based_on_revision": current["revision"],
            "entries": [
                {
                    "valid_from": "2025-01-01",
                    "valid_to": None,
                    "per_ean_day": {"day": "0.01", "hour": "0.02", "quarter_hour": "0.03"},
                    "yearly_fee": "0",
                    "decision": f"VREG-{m.fresh()}",
                }
            ],
        }
    )


def readings() -> dict[str, Any]:
    return batch(METER, day_readings(date(2025, 3, 1)))


def registration() -> dict[str, Any]:
    return {
        "energy": "electricity",
        "meter_type": "digital",
        "direction": "both",
        "address": "Kerkstraat 1, 9000 Gent",
        "meter_number": "1SAG1100000292",
        "grid_user": {"enterprise_number": GRID_ORG},
        "grid_user_since": "2020-01-01",
    }


ON_EDV = Request(path={"en": EDV})
ON_METER = Request(path={"en": EDV, "ean": METER})
ENERGY_QUERY = urlencode(
    {
        "ean": METER,
        "dataServiceType": "VH_dag",
        "periodType": "readTime",
        "granularity": "daily",
        "from": "2025-03-01T00:00:00Z",
        "to": "2025-03-03T00:00:00Z",
    }
)

POLICY: dict[tuple[str, str], Policy] = {
    ("GET", "/openapi.json"): Policy(everyone()),
    ("GET", "/v1/me"): Policy(allow(*PERSONS)),
    ("GET", "/v1/organisations/{en}/members"): Policy(allow(EDV_ADMIN), lambda m: ON_EDV),
    ("PUT", "/v1/organisations/{en}/members/{sub}"): Policy(
        allow(EDV_ADMIN),
        lambda m: Request(path={"en": EDV, "sub": "newbie"}, json_body={"role": "member"}),
    ),
    ("DELETE", "/v1/organisations/{en}/members/{sub}"): Policy(
        allow(EDV_ADMIN), a_delegation, fresh=True
    ),
    ("POST", "/v1/organisations/{en}/edv-application"): Policy(
        allow(EDV_ADMIN, status=409),
        lambda m: Request(
            path={"en": EDV},
            json_body={
                "channel": "portal",
                "contact": {"name": "Eva", "email": "eva@example.be"},
                "service_description": "Nog eens",
            },
        ),
    ),
    ("GET", "/v1/organisations/{en}/edv-application"): Policy(allow(*EDV_STAFF), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/edv-application/contract"): Policy(
        allow(EDV_ADMIN), lambda m: ON_EDV
    ),
    ("PUT", "/v1/organisations/{en}/edv-application/signed-contract"): Policy(
        allow(EDV_ADMIN, status=409),
        lambda m: Request(
            path={"en": EDV}, body=a_pdf(), headers={"Content-Type": "application/pdf"}
        ),
    ),
    ("PUT", "/v1/organisations/{en}/edv-application/return-url-roots"): Policy(
        allow(EDV_ADMIN),
        lambda m: Request(path={"en": EDV}, json_body={"roots": ["https://zonnig.example/"]}),
    ),
    # The matrix's EDV is active: past signing (409), and no upload of it exists (404).
    ("POST", "/v1/organisations/{en}/edv-application/signed-contract/upload"): Policy(
        allow(EDV_ADMIN, status=409), lambda m: ON_EDV
    ),
    ("POST", "/v1/organisations/{en}/edv-application/signed-contract/confirm"): Policy(
        allow(EDV_ADMIN, status=404),
        lambda m: Request(path={"en": EDV}, json_body={"key": f"uploads/{EDV}/none.pdf"}),
    ),
    ("POST", "/v1/organisations/{en}/edv-application/cancel"): Policy(
        allow(EDV_ADMIN, status=409), lambda m: ON_EDV
    ),
    ("POST", "/v1/organisations/{en}/edv-application/terminate"): Policy(
        allow(EDV_ADMIN), lambda m: Request(path={"en": RETIRING_EDV})
    ),
    ("GET", "/v1/ops/edv-applications"): Policy(allow(OPERATOR)),
    ("GET", "/v1/ops/edv-applications/{en}/signed-contract"): Policy(
        allow(OPERATOR), a_signed_application, fresh=True
    ),
    ("POST", "/v1/ops/edv-applications/{en}/approve"): Policy(
        allow(OPERATOR), a_signed_application, fresh=True
    ),
    ("POST", "/v1/ops/edv-applications/{en}/reject"): Policy(
        allow(OPERATOR), a_rejectable_application, fresh=True
    ),
    ("GET", "/v1/edvs/{en}"): Policy(everyone(), lambda m: ON_EDV),
    ("POST", "/v1/organisations/{en}/api-clients"): Policy(
        allow(EDV_ADMIN), lambda m: Request(path={"en": EDV}, json_body={"name": "matrix"})
    ),
    ("GET", "/v1/organisations/{en}/api-clients"): Policy(allow(EDV_ADMIN), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/sandbox/mandates"): Policy(allow(EDV_ADMIN), lambda m: ON_EDV),
    ("POST", "/v1/organisations/{en}/sandbox/mandates"): Policy(
        allow(EDV_ADMIN, status=201),
        lambda m: Request(path={"en": EDV}, json_body={"ean": "541448860000000011"}),
    ),
    ("DELETE", "/v1/organisations/{en}/api-clients/{client_id}"): Policy(
        allow(EDV_ADMIN), an_api_client, fresh=True
    ),
    ("PUT", "/v1/ops/access-points/{ean}"): Policy(
        allow(OPERATOR), lambda m: Request(path={"ean": METER}, json_body=registration())
    ),
    ("GET", "/v1/me/access-points"): Policy(allow(*PERSONS)),
    ("GET", "/v1/organisations/{en}/access-points"): Policy(allow(*EDV_STAFF), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/access-points/{ean}"): Policy(
        allow(*EDV_STAFF), lambda m: ON_METER
    ),
    ("POST", "/v1/organisations/{en}/exports"): Policy(
        allow(*EDV_STAFF, status=202),
        lambda m: Request(path={"en": EDV}, json_body={"eans": [METER]}),
    ),
    ("GET", "/v1/organisations/{en}/exports"): Policy(allow(*EDV_STAFF), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/exports/{export_id}"): Policy(
        allow(*EDV_STAFF), lambda m: Request(path={"en": EDV, "export_id": m.export_id})
    ),
    # Years from its end, the mandate refuses (409); renewal itself: test_renewals.py.
    # Members read, administrators change.
    ("POST", "/v1/organisations/{en}/access-points/{ean}/renewal-request"): Policy(
        allow(EDV_ADMIN, status=409), lambda m: ON_METER
    ),
    ("GET", "/v1/organisations/{en}/purge-duties"): Policy(allow(*EDV_STAFF), lambda m: ON_EDV),
    # Confirming is idempotent: every allowed caller confirms the same duty.
    ("POST", "/v1/organisations/{en}/purge-duties/{duty_id}/confirm"): Policy(
        allow(EDV_ADMIN), lambda m: Request(path={"en": EDV, "duty_id": m.duty_id})
    ),
    ("POST", "/v1/me/mandates"): Policy(
        allow(*GRID_SIDE, status=201),
        lambda m: Request(
            json_body={
                "edv": EDV,
                "ean": a_fresh_meter(m),
                "granularity": "day",
                "period_start": "2024-01-01",
                "period_end": "2025-01-01",
            }
        ),
        fresh=True,
    ),
    ("GET", "/v1/consent-sessions/{identifier}"): Policy(everyone(), a_consent_session),
    ("GET", "/v1/me/mandates"): Policy(allow(*PERSONS)),
    ("GET", "/v1/me/mandates/{mandate_id}"): Policy(
        allow(*GRID_SIDE), lambda m: Request(path={"mandate_id": m.mandate_id})
    ),
    ("POST", "/v1/me/mandates/{mandate_id}/end"): Policy(
        allow(*GRID_SIDE), a_mandate_to_end, fresh=True
    ),
    # Renewing is granting anew: the grid side, on an active mandate of theirs.
    ("POST", "/v1/me/mandates/{mandate_id}/renew"): Policy(
        allow(*GRID_SIDE, status=201), a_mandate_to_end, fresh=True
    ),
    ("POST", "/v1/me/mandates/{mandate_id}/approve"): Policy(
        allow(*GRID_SIDE), a_requested_mandate, fresh=True
    ),
    ("POST", "/v1/me/mandates/{mandate_id}/refuse"): Policy(
        allow(*GRID_SIDE), a_requested_mandate, fresh=True
    ),
    ("POST", "/v1/consent-sessions/{identifier}/decline"): Policy(
        allow(*GRID_SIDE), a_declined_session, fresh=True
    ),
    ("GET", "/v1/me/access-log"): Policy(allow(*PERSONS)),
    ("GET", "/v1/me/access-log/sessions"): Policy(allow(*PERSONS)),
    ("GET", "/v1/organisations/{en}/mandate-events"): Policy(allow(*EDV_STAFF), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/access-points/{ean}/volumes"): Policy(
        allow(*EDV_STAFF),
        lambda m: Request(
            path={"en": EDV, "ean": METER}, query="from=2025-03-01&to=2025-03-03&resolution=day"
        ),
    ),
    ("GET", "/v1/organisations/{en}/access-points/{ean}/peak-power"): Policy(
        allow(*EDV_STAFF),
        lambda m: Request(path={"en": EDV, "ean": METER}, query="from=2025-01-01&to=2025-06-01"),
    ),
    ("POST", "/v1/ops/market-events"): Policy(
        allow(OPERATOR),
        lambda m: Request(
            json_body={
                "ean": GREET_METER,
                "scenario": "supplier_switch",
                "effective_date": "2025-06-01",
            }
        ),
    ),
    ("GET", "/v1/ops/job-runs"): Policy(allow(OPERATOR)),
    ("GET", "/v1/ops/audit"): Policy(allow(OPERATOR)),
    ("GET", "/v1/ops/access-points/{ean}"): Policy(
        allow(OPERATOR), lambda m: Request(path={"ean": METER})
    ),
    ("POST", "/v1/ops/jobs/{job}/run"): Policy(
        allow(OPERATOR), lambda m: Request(path={"job": "mandate-expiry"})
    ),
    ("POST", "/v1/ops/readings"): Policy(allow(OPERATOR), lambda m: Request(json_body=readings())),
    ("GET", "/v1/ops/ingest-reports/{report_id}"): Policy(
        allow(OPERATOR), lambda m: Request(path={"report_id": m.report_id})
    ),
    ("GET", "/v1/ops/ingest-reports"): Policy(
        allow(OPERATOR), lambda m: Request(query=f"day={date.today().isoformat()}")
    ),
    ("POST", "/oauth2/token"): Policy(everyone(), a_token_form),
    ("GET", "/oauth2/jwks"): Policy(everyone()),
    ("POST", "/{tenant}/oauth2/v2.0/token"): Policy(
        everyone(), lambda m: replace(a_token_form(m), path={"tenant": "edv"})
    ),
    ("GET", "/.well-known/openid-configuration"): Policy(everyone()),
    ("GET", "/oauth2/.well-known/openid-configuration"): Policy(everyone()),
    ("GET", "/.well-known/oauth-authorization-server"): Policy(everyone()),
    ("GET", "/.well-known/oauth-authorization-server/oauth2"): Policy(everyone()),
    ("GET", "/{tenant}/v2.0/.well-known/openid-configuration"): Policy(
        everyone(), lambda m: Request(path={"tenant": "edv"})
    ),
    # Not offered: every caller gets the same refusal.
    ("GET", "/oauth2/authorize"): Policy(allow(*CALLERS, status=400)),
    ("GET", "/esco-live/v3/api/mandate"): Policy(allow(CLIENT, OTHER_CLIENT)),
    ("POST", "/esco-live/v3/api/extensions/exports"): Policy(
        allow(CLIENT, OTHER_CLIENT), lambda m: Request(json_body={"eans": [METER]})
    ),
    ("GET", "/esco-live/v3/api/extensions/exports/{export_id}"): Policy(
        allow(CLIENT), an_export, refusals={OTHER_CLIENT: 404}
    ),
    ("GET", "/esco-live/v3/api/extensions/purge-duties"): Policy(allow(CLIENT, OTHER_CLIENT)),
    ("POST", "/esco-live/v3/api/extensions/purge-duties/{duty_id}/confirm"): Policy(
        allow(CLIENT),
        lambda m: Request(path={"duty_id": m.duty_id}),
        refusals={OTHER_CLIENT: 404},
    ),
    ("GET", "/esco-live/v3/api/extensions/consent-requests/{identifier}"): Policy(
        allow(CLIENT), a_consent_session, refusals={OTHER_CLIENT: 404}
    ),
    ("POST", "/esco-live/v3/api/extensions/mandate/renewal-request"): Policy(
        allow(CLIENT, status=409), lambda m: Request(json_body={"ean": METER})
    ),
    ("GET", "/esco-live/v3/api/mandate/energy"): Policy(
        allow(CLIENT), lambda m: Request(query=ENERGY_QUERY)
    ),
    # Naming another EDV's contract is a validation failure in the ESCO API's own terms.
    ("POST", "/esco-live/v3/api/shortUrlIdentifier"): Policy(
        allow(CLIENT), a_session_body, refusals={OTHER_CLIENT: 400}
    ),
    # The sandbox: each API EDV makes and reads its own mocks (isolation: test_sandbox.py).
    ("POST", "/esco-sbx/v3/api/mandate/mock"): Policy(allow(CLIENT, OTHER_CLIENT), a_mock_body),
    ("GET", "/esco-sbx/v3/api/mandate"): Policy(allow(CLIENT, OTHER_CLIENT)),
    ("GET", "/esco-sbx/v3/api/mandate/energy"): Policy(
        allow(CLIENT, OTHER_CLIENT), lambda m: Request(query=SANDBOX_QUERY)
    ),
    ("POST", "/esco-sbx/v3/api/shortUrlIdentifier"): Policy(
        allow(CLIENT), a_session_body, refusals={OTHER_CLIENT: 400}
    ),
    ("GET", "/v1/ops/tariffs"): Policy(allow(OPERATOR)),
    ("GET", "/v1/ops/tariffs/revisions"): Policy(allow(OPERATOR)),
    ("PUT", "/v1/ops/tariffs"): Policy(allow(OPERATOR), a_tariff_table, fresh=True),
    ("GET", "/v1/organisations/{en}/usage"): Policy(
        allow(EDV_ADMIN), lambda m: Request(path={"en": EDV}, query="month=2025-03")
    ),
    ("GET", "/v1/ops/usage"): Policy(allow(OPERATOR), lambda m: Request(query="month=2025-03")),
    ("POST", "/v1/organisations/{en}/webhooks"): Policy(
        allow(EDV_ADMIN, status=201),
        lambda m: Request(path={"en": EDV}, json_body=a_webhook_body(m).json_body),
    ),
    ("GET", "/v1/organisations/{en}/webhooks"): Policy(allow(EDV_ADMIN), lambda m: ON_EDV),
    ("GET", "/v1/organisations/{en}/webhooks/{endpoint_id}"): Policy(
        allow(EDV_ADMIN), lambda m: m.webhook
    ),
    ("DELETE", "/v1/organisations/{en}/webhooks/{endpoint_id}"): Policy(
        allow(EDV_ADMIN), a_webhook, fresh=True
    ),
    ("GET", "/v1/organisations/{en}/webhooks/{endpoint_id}/deliveries"): Policy(
        allow(EDV_ADMIN), lambda m: m.webhook
    ),
    ("POST", "/v1/organisations/{en}/webhooks/{endpoint_id}/test"): Policy(
        allow(EDV_ADMIN, status=202), lambda m: m.webhook
    ),
    # The local stage's stand-ins for CSAM and the KBO: public by design, never in production.
    ("POST", "/v1/dev/token"): Policy(
        everyone(), lambda m: Request(json_body={"sub": "someone", "name": "Iemand"})
    ),
    ("GET", "/v1/dev/jwks"): Policy(everyone()),
    ("PUT", "/v1/dev/kbo/{en}/links/{sub}"): Policy(
        everyone(),
        lambda m: Request(
            path={"en": enterprise_number(900), "sub": "kbo-person"},
            json_body={"role": "member", "organisation_name": "KBO"},
        ),
    ),
    ("GET", "/v1/dev/authorize"): Policy(
        everyone(), lambda m: Request(query=urlencode(request_params()))
    ),
    ("POST", "/v1/dev/authorize"): Policy(
        allow(*CALLERS, status=303),
        lambda m: form({**request_params(), "sub": "klant-karel", "name": "Karel"}),
    ),
    ("POST", "/v1/dev/oauth/token"): Policy(everyone(), an_authorization_code, fresh=True),
}


def routes() -> list[tuple[str, str]]:
    return [(op.method, op.path) for op in [*production_operations(), *dev.api.operations]]


@pytest.fixture(scope="module")
def matrix() -> Iterator[Matrix]:
    with mock_aws():
        from app import app
        from chalicelib.local import bootstrap

        bootstrap()
        http = Http(Client(app, stage_name="local"))
        yield build_world(http)


def build_world(http: Http) -> Matrix:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    retiring = world.active(RETIRING_EDV, "Stopt Ermee")
    for sub, role in (("admin-" + EDV, "admin"), ("member-" + EDV, "member")):
        http.link(RETIRING_EDV, sub, role, "Stopt Ermee")  # the same staff run both EDVs
    del retiring
    other = world.active(OTHER, "Andere")
    pending = world.applied(PENDING, "Nog Niet")
    http.link(GRID_ORG, "karel", "admin", "Bakkerij")
    http.link(GRID_ORG, "bea-maes", "admin", "Bakkerij")
    http.link(GRID_ORG, REQUESTER, "member", "Bakkerij")  # asks; may not grant alone
    grid_org = {"enterprise_number": GRID_ORG}
    for meter in (METER, SPARE_METER, ENDING_METER):
        register_access_point(world, meter, grid_user=grid_org)
    register_access_point(world, GREET_METER, grid_user={"sub": "greet"})
    karel = Customer("karel", http.token("karel", "Karel Claes"))
    mandate = grant(world, karel, EDV, METER)
    greet = Customer("greet", http.token("greet", "Greet Peeters"))
    grant(world, greet, OTHER, GREET_METER)
    expired = signed_by_dev_issuer(
        sub="karel", iat=int(time.time()) - 7200, exp=int(time.time()) - 3600
    )
    tokens = {
        CUSTOMER: karel.token,
        OTHER_CUSTOMER: greet.token,
        GRID_USER: http.token("bea-maes", "Bea Maes"),
        EDV_ADMIN: edv.admin,
        EDV_MEMBER: edv.member,
        OTHER_EDV: other.admin,
        PENDING_EDV: pending.admin,
        OPERATOR: world.operator,
        EXPIRED: expired,
    }
    clients = {CLIENT: secret_client(http, edv), OTHER_CLIENT: secret_client(http, other)}
    for caller, client in clients.items():
        tokens[caller] = client.token()
    matrix = Matrix(http, world, tokens, clients, str(mandate["id"]), edv, karel)
    overview = http.get(f"/v1/organisations/{EDV}/edv-application", token=edv.member).json
    matrix.contract = overview["contract_number"]
    session = matrix.call(
        CLIENT, "POST", "/esco-live/v3/api/shortUrlIdentifier", a_session_body(matrix)
    )
    assert session.status == 200, session.body
    matrix.session_id = session.json["data"]["shortUrlIdentifier"]
    ingested = matrix.call(OPERATOR, "POST", "/v1/ops/readings", Request(json_body=readings()))
    assert ingested.status == 200, ingested.body
    matrix.report_id = ingested.json["report_id"]
    matrix.webhook = a_webhook(matrix)
    ended = grant(world, karel, EDV, ENDING_METER)  # ended: a duty to delete what it held
    assert http.post(f"/v1/me/mandates/{ended['id']}/end", token=karel.token).status == 200
    [duty] = http.get(f"/v1/organisations/{EDV}/purge-duties", token=edv.member).json["items"]
    matrix.duty_id = duty["id"]
    exported = matrix.call(
        EDV_ADMIN, "POST", f"/v1/organisations/{EDV}/exports", Request(json_body={"eans": [METER]})
    )
    assert exported.status == 202, exported.body
    matrix.export_id = exported.json["id"]
    for caller in (CLIENT, OTHER_CLIENT):
        mocked = matrix.call(caller, "POST", "/esco-sbx/v3/api/mandate/mock", a_mock_body(matrix))
        assert mocked.status == 200, mocked.body
    return matrix


def test_every_route_has_a_policy_and_every_policy_a_route() -> None:
    table = routes()
    missing = [route for route in table if route not in POLICY]
    assert missing == [], f"routes without an authorisation policy: {missing}"
    assert sorted(set(POLICY) - set(table)) == []


def _denied(caller: str, path: str, refusal: int | None, answer: Answer) -> str | None:
    expected = {401} if caller in NO_CREDENTIALS else {401, 403, 404}
    if refusal is not None:
        expected = {refusal}
    if answer.status not in expected:
        return f"{caller}: expected {sorted(expected)}, got {answer.status} {answer.body[:200]!r}"
    # The machine API refuses in the ESCO API's error shape, the portal API in problem+json.
    machine = path.startswith(("/esco-live/", "/esco-sbx/"))
    coded = "code" in answer.json if machine else answer.code is not None
    return None if coded else f"{caller}: a refusal without its error code"


def _leaks(caller: str, answer: Answer) -> str | None:
    if caller not in STRANGERS:
        return None
    secrets = (METER, "Karel", "Bakkerij", "karel", "bea-maes", "Bea Maes")
    seen = [secret for secret in secrets if secret.encode() in answer.body]
    return f"{caller}: the answer shows {seen}" if seen else None


def _allowed(caller: str, expected: int | None, answer: Answer) -> str | None:
    ok = answer.status == expected if expected else 200 <= answer.status < 300
    if not ok:
        return f"{caller}: expected {expected or '2xx'}, got {answer.status} {answer.body[:300]!r}"
    return None


@pytest.mark.parametrize("route", routes(), ids=lambda route: f"{route[0]} {route[1]}")
def test_each_caller_gets_what_the_policy_says(matrix: Matrix, route: tuple[str, str]) -> None:
    method, path = route
    policy = POLICY[route]
    failures: list[str] = []
    shared = policy.build(matrix)
    for caller in CALLERS:
        if caller not in policy.allowed:
            answer = matrix.call(caller, method, path, shared)
            failures.append(_denied(caller, path, policy.refusals.get(caller), answer) or "")
            failures.append(_leaks(caller, answer) or "")
    for caller, expected in policy.allowed.items():
        request = policy.build(matrix) if policy.fresh else shared
        answer = matrix.call(caller, method, path, request)
        failures.append(_allowed(caller, expected, answer) or "")
        failures.append(_leaks(caller, answer) or "")
    wrong = [failure for failure in failures if failure]
    assert not wrong, "\n".join(wrong)
