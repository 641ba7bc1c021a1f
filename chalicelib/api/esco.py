"""The EDV machine API under /esco-live/v3, wire-compatible with the Fluvius ESCO API v3: the same
paths, parameters, casing, enums, `_meta.fetchTime`, `$type` discriminators and error bodies
(`type`, `code`, `message`, `validationErrorMessages`), so that software written against it
works by changing only its base URL and token URL. Time slices are in UTC.

Callers are API clients with a token from /oauth2/token and their Ocp-Apim-Subscription-Key.
Every answer carries RateLimit-* headers; past the limit, 429 with Retry-After.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Request, Response
from pydantic import ValidationError

from ..aws import is_transient
from ..domain.errors import DomainError
from ..domain.identifiers import is_valid_ean
from ..domain.vocabulary import Energy, Granularity, MeterType
from ..observability import logger
from ..services import consent, machine_api, oauth
from .esco_models import (
    CreateClientSessionRequest,
    CreateClientSessionResponse,
    ErrorValidationResponse,
    GetEnergyResponse,
    GetMandatesResponse,
)
from .routing import JSON, RETRY_AFTER_SECONDS, UNAVAILABLE, Api, Auth, Operation

if TYPE_CHECKING:
    from ..domain.api_clients import ApiClient
    from ..domain.mandates import Mandate
    from ..services.machine_api import EnergyAnswer, Slice

PREFIX = "/esco-live/v3/api"
MANDATE_STATUSES = ("Requested", "Approved", "Rejected", "Finished")
RENEWAL_STATUSES = ("ToBeRenewed", "RenewalRequested", "Expired")
DATA_SERVICE_TYPES = ("VH_onbepaald", "VH_kwartier_uur", "VH_dag", "IG")
GRANULARITIES = ("hourly_quarterhourly", "daily")
COMPLEX_ENERGY = ("active", "reactive")

# Our refusals, as the ESCO API words them: (HTTP status, type, code, message or None: ours).
ESCO_ERRORS: dict[str, tuple[int, str, str, str | None]] = {
    "unauthenticated": (401, "UnauthorizedException", "Authorization.Failed", None),
    "forbidden": (403, "ForbiddenException", "Authorization.Forbidden", None),
    "edv_not_active": (403, "ForbiddenException", "Authorization.Forbidden", None),
    "no_mandate": (
        404,
        "MandatesNotFoundException",
        "Mandates.NotFound",
        "No Mandates were found.",
    ),
    "not_found": (404, "NotFoundException", "Resource.NotFound", None),
    "granularity_not_consented": (
        403,
        "MandateForbiddenException",
        "Mandate.GranularityNotConsented",
        None,
    ),
    "outside_mandate_period": (403, "MandateForbiddenException", "Mandate.OutsideDataPeriod", None),
    "rate_limited": (429, "RateLimitExceededException", "RateLimit.Exceeded", None),
    "service_unavailable": (
        503,
        "ServiceUnavailableException",
        "DependentResource.Unavailable",
        None,
    ),
}
VALIDATION = (
    400,
    "AppValidationException",
    "RequestModelValidation.Failed",
    "Request model validation failed.",
)
BODY_VALIDATION = (
    400,
    "AppValidationException",
    "ModelValidation.Failed",
    "Model validation failed.",
)

# What the OpenAPI document says each status of an ESCO-shaped refusal means.
OWN_ERRORS = {
    400: "Validation failed: `validationErrorMessages` says what (ESCO `AppValidationException`).",
    401: "The token or the subscription key is missing, invalid or expired.",
    403: "The EDV is not active, or the mandate does not cover the request.",
    404: "No mandate matches (ESCO `MandatesNotFoundException`).",
    429: "Too many requests; `Retry-After` says when to try again.",
    500: "Something failed on our side.",
    503: "A service we depend on is unavailable; try again later.",
}

api = Api("EDV machine API (ESCO v3)")
blueprint = api.blueprint


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_midnight(day: date) -> str:
    from ..domain.brussels import day_start_utc

    return _utc(day_start_utc(day))


def _esco_error(
    status: int,
    kind: str,
    code: str,
    message: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": kind, "code": code, "message": message, **(extra or {})}
    return Response(
        body=json.dumps(body), status_code=status, headers={"Content-Type": JSON, **(headers or {})}
    )


def _from_domain(error: DomainError, body_request: bool) -> Response:
    if error.code in ESCO_ERRORS:
        status, kind, code, message = ESCO_ERRORS[error.code]
        return _esco_error(status, kind, code, message or error.detail, headers=error.headers)
    status, kind, code, message = BODY_VALIDATION if body_request else VALIDATION
    messages = [item.message for item in error.errors] or [error.detail]
    return _esco_error(
        status,
        kind,
        code,
        message or error.detail,
        {"validationErrorMessages": messages},
        headers=error.headers,
    )


@dataclass
class EscoCall:
    request: Request
    client: ApiClient
    now: datetime

    def meta(self) -> dict[str, str]:
        return {"fetchTime": _utc(self.now)}


def operation(
    method: str, path: str, summary: str, *, response: Any, body: Any = None, query: Any = None
) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    def decorate(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        declared = Operation(
            method=method,
            path=f"{PREFIX}{path}",
            operation_id=f"esco_{handler.__name__}",
            summary=summary,
            tag="EDV machine API (ESCO v3)",
            auth=Auth.CLIENT,
            body=body,
            query=query,
            response=response,
            own_errors=OWN_ERRORS,
            own_error_model=ErrorValidationResponse,
            description=(handler.__doc__ or "").strip(),
        )
        api.operations.append(declared)

        def view() -> Response:
            request = blueprint.current_request
            now = datetime.now(UTC)
            rate_headers: dict[str, str] = {}
            try:
                client = oauth.authenticate(
                    request.headers.get("authorization"),
                    request.headers.get("ocp-apim-subscription-key"),
                    now,
                )
                rate_headers = oauth.count_request(client, now).headers()
                data = handler(EscoCall(request, client, now))
            except DomainError as error:
                answer = _from_domain(error, body is not None)
                answer.headers.update(
                    {k: v for k, v in rate_headers.items() if k not in answer.headers}
                )
                return answer
            except Exception as error:
                if is_transient(error):
                    logger.warning("dependency unavailable", exc_info=True)
                    status, kind, code, _ = ESCO_ERRORS["service_unavailable"]
                    return _esco_error(
                        status,
                        kind,
                        code,
                        UNAVAILABLE,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    )
                logger.exception("unhandled error", extra={"operation": declared.operation_id})
                return _esco_error(
                    500,
                    "InternalServerException",
                    "Internal.Error",
                    "The server cannot handle the request. Please try again later.",
                )
            body_text = json.dumps(
                {"data": data, "_meta": {"fetchTime": _utc(now)}}, separators=(",", ":")
            )
            return Response(
                body=body_text, status_code=200, headers={"Content-Type": JSON, **rate_headers}
            )

        view.__name__ = f"esco_{handler.__name__}"
        blueprint.route(
            f"{PREFIX}{path}", methods=[method], content_types=[JSON, "text/json", "*/*"]
        )(view)
        return handler

    return decorate


# Parameters ------------------------------------------------------------------------------


class _Params:
    """Query parameters read the ESCO way: every problem reported, in its words."""

    def __init__(self, request: Request) -> None:
        self.values = dict(request.query_params or {})
        self.problems: list[str] = []

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if value not in (None, "") else None

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is not None and value not in allowed:
            options = " or ".join(f"'{option}'" for option in allowed)
            self.problems.append(
                f"Parameter '{name}' must be {options} (case-sensitive) "
                "or must be entirely ommitted."
            )
            return None
        return value

    def choices(self, name: str, allowed: tuple[str, ...]) -> set[str] | None:
        value = self.text(name)
        if value is None:
            return None
        chosen = {
            part.strip()
            for part in value.replace(";", ",").replace("|", ",").split(",")
            if part.strip()
        }
        unknown = chosen - set(allowed)
        if unknown or not chosen:
            self.problems.append(
                f"Parameter '{name}' must be one or more of {', '.join(allowed)} (case-sensitive), "
                "separated by ',' or ';' or '|'."
            )
            return None
        return chosen

    def instant(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.problems.append(f"Parameter '{name}' must be a date and time (ISO 8601).")
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # the ESCO API reads UTC

    def ean(self, required: bool) -> str | None:
        value = self.text("ean")
        if value is None:
            if required:
                self.problems.append("Parameter 'ean' is mandatory.")
            return None
        if not is_valid_ean(value):
            self.problems.append("Parameter 'ean' must contain 18 digits.")
            return None
        return value

    def check(self) -> None:
        if self.problems:
            from ..domain.errors import FieldError

            raise DomainError(
                "validation_error",
                "Request model validation failed.",
                errors=[FieldError("query", problem) for problem in self.problems],
            )


# Mandates -------------------------------------------------------------------------------


def mandate_view(mandate: Mandate, now: datetime) -> dict[str, Any]:
    view = {
        "referenceNumber": mandate.reference_number,
        "status": machine_api.status_of(mandate, now),
        "ean": mandate.ean,
        "energyType": "E" if mandate.energy is Energy.ELECTRICITY else "G",
        "dataPeriodFrom": _utc_midnight(mandate.period_start),
        "dataPeriodTo": _utc_midnight(mandate.period_end),
        "dataServiceType": machine_api.data_service_type(mandate),
        "mandateExpirationDate": _utc(mandate.valid_until),
        "renewalStatus": machine_api.renewal_status(mandate, now),
    }
    return {key: value for key, value in view.items() if value is not None}


@operation(
    "GET",
    "/mandate",
    "Gets the mandates that match the specified filters.",
    response=GetMandatesResponse,
)
def get_mandates(call: EscoCall) -> dict[str, Any]:
    """Approved (active) and Finished (ended or expired) mandates of the caller's EDV; a 404
    Mandates.NotFound when none match, as the ESCO API answers."""
    params = _Params(call.request)
    data_service_types = params.choices("dataServiceTypes", DATA_SERVICE_TYPES)
    filters = machine_api.MandateFilters(
        reference_number=params.text("referenceNumber"),
        ean=params.ean(required=False),
        data_service_types=frozenset(data_service_types) if data_service_types else None,
        energy_type=params.choice("energyType", ("E", "G")),
        status=params.choice("status", MANDATE_STATUSES),
        expiring_by=params.instant("mandateExpirationDate"),
        renewal_status=params.choice("renewalStatus", RENEWAL_STATUSES),
        updated_from=params.instant("lastUpdatedFrom"),
        updated_to=params.instant("lastUpdatedTo"),
    )
    params.check()
    found = machine_api.mandates(call.client, filters, call.now)
    if not found:
        raise DomainError("no_mandate", "No Mandates were found.")
    return {"mandates": [mandate_view(mandate, call.now) for mandate in found]}


# Energy ---------------------------------------------------------------------------------


def _value(thousandths: int, unit: str, state: str, factor: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "value": round(thousandths / 1000, 3),
        "unit": unit,
        "validationState": state,
    }
    if factor:
        value["gasConversionFactor"] = factor
    return value


def _state(quality: int, on_meter: bool) -> str:
    if on_meter:
        return "READ" if quality == 2 else "EST"
    return "VAL" if quality == 2 else "NVAL"


def _measurements(piece: Slice, answer: EnergyAnswer, daily: bool) -> list[dict[str, Any]]:
    point = answer.point
    on_meter = point.meter_type is MeterType.DIGITAL
    if point.energy is Energy.GAS:
        value, quality = piece.values["offtake"]
        kwh = round(value * piece.gas_factor)
        state = _state(quality, on_meter)
        in_kwh = {
            "offtake": {
                "total": _value(
                    kwh,
                    "kWh",
                    state,
                    ("D" if piece.factor_definitive else "C") if on_meter else None,
                )
            }
        }
        return (
            [{"offtake": {"total": _value(value, "m3", state)}}, in_kwh] if on_meter else [in_kwh]
        )
    direction: dict[str, Any] = {}
    for channel, (value, quality) in piece.values.items():
        state = _state(quality, on_meter)
        if daily and channel in piece.day_night:
            day_part, night_part = piece.day_night[channel]
            direction[channel] = {
                "day": _value(day_part, "kWh", state),
                "night": _value(night_part, "kWh", state),
            }
        else:
            direction[channel] = {"total": _value(value, "kWh", state)}
    return [direction]


def _slices(
    pieces: list[Slice] | None, answer: EnergyAnswer, daily: bool
) -> list[dict[str, Any]] | None:
    if pieces is None:
        return None
    return [
        {
            "start": _utc(piece.start),
            "end": _utc(piece.end),
            "measurements": _measurements(piece, answer, daily),
        }
        for piece in pieces
    ]


def energy_view(answer: EnergyAnswer) -> dict[str, Any]:
    point = answer.point
    fine_key = "hourlyEnergy" if point.energy is Energy.GAS else "quarterHourlyEnergy"
    series = {
        key: value
        for key, value in (
            ("dailyEnergy", _slices(answer.daily, answer, daily=True)),
            (fine_key, _slices(answer.fine, answer, daily=False)),
        )
        if value is not None
    }
    headpoint: dict[str, Any] = {
        "ean": point.ean,
        "energyType": "E" if point.energy is Energy.ELECTRICITY else "G",
    }
    if point.meter_type is MeterType.DIGITAL:
        headpoint = {
            "$type": "metering-on-meter",
            **headpoint,
            "physicalMeters": [{"seqNumber": "1", "meterID": point.meter_number, **series}],
        }
    else:
        headpoint = {"$type": "metering-on-headpoint", **headpoint, **series}
    return {"headpoint": headpoint}


@operation(
    "GET",
    "/mandate/energy",
    "Gets the energy that matches the specified filters.",
    response=GetEnergyResponse,
)
def get_energy(call: EscoCall) -> dict[str, Any]:
    """`periodType=readTime` selects by when the energy was measured, `insertTime` by when values
    were stored here, so an EDV can fetch only what is new or corrected since its last call.
    Only what the mandate allows: its granularity and consumption period; reads are logged."""
    params = _Params(call.request)
    ean = params.ean(required=True)
    period_type = params.choice("periodType", ("readTime", "insertTime"))
    if period_type is None and "periodType" not in params.values:
        params.problems.append("Parameter 'periodType' is mandatory.")
    granularities = params.choices("granularity", GRANULARITIES)
    complex_types = params.choices("complexEnergyTypes", COMPLEX_ENERGY)
    window_from, window_to = params.instant("from"), params.instant("to")
    params.check()
    assert ean is not None and period_type is not None
    answer = machine_api.energy(
        call.client,
        ean,
        period_type=period_type,
        granularities=granularities,
        window_from=window_from,
        window_to=window_to,
        reference_number=params.text("referenceNumber"),
        now=call.now,
    )
    if complex_types is not None and "active" not in complex_types:
        return energy_view(
            machine_api.EnergyAnswer(
                answer.point, answer.mandate, None, None
            )  # reactive: none kept
        )
    return energy_view(answer)


# EDV-initiated consent ------------------------------------------------------------------


@operation(
    "POST",
    "/shortUrlIdentifier",
    "Creates a new client session.",
    response=CreateClientSessionResponse,
    body=CreateClientSessionRequest,
)
def create_client_session(call: EscoCall) -> dict[str, Any]:
    """An identifier for the consent page, valid 24 hours: opened with it, the page shows the
    requested data services and periods and sends the customer back to returnUrlSuccess or
    returnUrlFailed. The mandates it produces carry `referenceNumber`."""
    try:
        request = CreateClientSessionRequest.model_validate_json(call.request.raw_body or b"{}")
    except ValidationError as error:
        from ..domain.errors import FieldError

        messages = [
            f"Property '{'.'.join(str(part) for part in problem['loc'])}' is mandatory."
            if problem["type"] == "missing"
            else f"Property '{'.'.join(str(part) for part in problem['loc'])}': {problem['msg']}"
            for problem in error.errors(include_url=False)
        ]
        raise DomainError(
            "validation_error",
            "Model validation failed.",
            errors=[FieldError("body", m) for m in messages],
        ) from error
    services = [
        consent.RequestedService(
            Granularity.DAY if service.data_service_type == "VH_dag" else Granularity.QUARTER_HOUR,
            _date_of(service.data_period_from),
            _date_of(service.data_period_to),
        )
        for service in request.data_services or []
        if service.data_service_type in ("VH_dag", "VH_kwartier_uur")
    ]
    identifier, valid_to = consent.create(
        call.client,
        contract_number=request.data_access_contract_number,
        reference_number=request.reference_number,
        flow=request.flow,
        services=services,
        number_of_eans=request.number_of_eans,
        return_url_success=request.return_url_success,
        return_url_failed=request.return_url_failed,
        sso=request.sso,
        enterprise_number=request.enterprise_number,
        now=call.now,
    )
    return {"status": "success", "shortUrlIdentifier": identifier, "validTo": _utc(valid_to)}


def _date_of(value: str | None) -> date | None:
    """A data period bound as the ESCO API gives it (UTC instant of a Brussels midnight)."""
    if not value:
        return None
    from ..domain.brussels import brussels_date

    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return brussels_date(instant if instant.tzinfo else instant.replace(tzinfo=UTC))
