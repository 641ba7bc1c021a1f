"""The ESCO API v3 wire words, and nothing else: how our mandates, energy and refusals are written
in the Fluvius ESCO API's names, casing, enums and shapes. Pure functions of domain and service
values, so every mapping is unit-tested without AWS. Time slices are in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import orjson

from ..domain.brussels import brussels_date, day_start_utc, slot_bounds_utc
from ..domain.errors import DomainError
from ..domain.vocabulary import Energy, Granularity, MandateStatus, MeterType, RenewalState

if TYPE_CHECKING:
    from ..domain.mandates import Mandate
    from ..services.machine_api import EnergyAnswer, FineDay, Slice

MANDATE_STATUSES = ("Requested", "Approved", "Rejected", "Finished")
RENEWAL_STATUSES = ("ToBeRenewed", "RenewalRequested", "Expired")
DATA_SERVICE_TYPES = ("VH_onbepaald", "VH_kwartier_uur", "VH_dag", "IG")
GRANULARITIES = ("hourly_quarterhourly", "daily")
COMPLEX_ENERGY = ("active", "reactive")
PERIOD_TYPES = ("readTime", "insertTime")
ENERGY_TYPES = {Energy.ELECTRICITY: "E", Energy.GAS: "G"}
RENEWALS = {
    RenewalState.DUE: "ToBeRenewed",
    RenewalState.REQUESTED: "RenewalRequested",
    RenewalState.EXPIRED: "Expired",
}

# Our refusals, as the ESCO API words them: (HTTP status, type, code, message or None: ours).
ERRORS: dict[str, tuple[int, str, str, str | None]] = {
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
    "renewal_not_due": (409, "ConflictException", "Mandate.RenewalNotDue", None),
    "too_many_exports": (429, "RateLimitExceededException", "Export.TooManyAtOnce", None),
    "too_many_changes": (429, "RateLimitExceededException", "Mandate.TooManyChanges", None),
    "quota_exceeded": (409, "ConflictException", "Quota.Exceeded", None),
    "too_many_results": (400, "AppValidationException", "Mandates.TooManyToAnswer", None),
    "invalid_cursor": (400, "AppValidationException", "ContinuationToken.Invalid", None),
    "service_unavailable": (
        503,
        "ServiceUnavailableException",
        "DependentResource.Unavailable",
        None,
    ),
}
QUERY_VALIDATION = (
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
INTERNAL = (
    500,
    "InternalServerException",
    "Internal.Error",
    "The server cannot handle the request. Please try again later.",
)

# What the OpenAPI document says each status of an ESCO-shaped refusal means.
ERROR_STATUSES = {
    400: "Validation failed: `validationErrorMessages` says what (ESCO `AppValidationException`).",
    401: "The token or the subscription key is missing, invalid or expired.",
    403: "The EDV is not active, or the mandate does not cover the request.",
    404: "No mandate matches (ESCO `MandatesNotFoundException`).",
    409: "The state of things refuses it: not due for renewal yet, a quota reached (ESCO "
    "`ConflictException`).",
    429: "Too many requests; `Retry-After` says when to try again.",
    500: "Something failed on our side.",
    503: "A service we depend on is unavailable; try again later.",
}


def utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_midnight(day: date) -> str:
    return utc(day_start_utc(day))


def date_of(value: str | None) -> date | None:
    """A data period bound as the ESCO API gives it (UTC instant of a Brussels midnight)."""
    if not value:
        return None
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return brussels_date(instant if instant.tzinfo else instant.replace(tzinfo=UTC))


def error_body(error: DomainError, *, body_request: bool) -> tuple[int, dict[str, Any]]:
    """A refusal in the ESCO error shape: anything that is not one of ours is a validation
    failure, of the query or of the body."""
    if error.code in ERRORS:
        status, kind, code, message = ERRORS[error.code]
        return status, {"type": kind, "code": code, "message": message or error.detail}
    status, kind, code, message = BODY_VALIDATION if body_request else QUERY_VALIDATION
    messages = [item.message for item in error.errors] or [error.detail]
    return status, {
        "type": kind,
        "code": code,
        "message": message or error.detail,
        "validationErrorMessages": messages,
    }


# Mandates -------------------------------------------------------------------------------------


def energy_type(energy: Energy) -> str:
    return ENERGY_TYPES[energy]


def energy_of(wire: str) -> Energy:
    return next(energy for energy, letter in ENERGY_TYPES.items() if letter == wire)


def data_service_type(granularity: Granularity) -> str:
    return "VH_dag" if granularity is Granularity.DAY else "VH_kwartier_uur"


def granularity_of(service_type: str) -> Granularity:
    """VH_dag a day mandate; VH_kwartier_uur the finest the EAN's energy has (quarter-hours for
    electricity, hours for gas: the mandate made of it says which)."""
    return Granularity.DAY if service_type == "VH_dag" else Granularity.QUARTER_HOUR


def granularities_of(data_service_types: frozenset[str]) -> frozenset[Granularity]:
    return frozenset(g for g in Granularity if data_service_type(g) in data_service_types)


WIRE_STATUSES = {
    "Requested": frozenset({MandateStatus.REQUESTED}),
    "Approved": frozenset({MandateStatus.ACTIVE}),
    "Rejected": frozenset({MandateStatus.REJECTED}),
    "Finished": frozenset({MandateStatus.ENDED, MandateStatus.EXPIRED}),
}


def statuses_of(wire_status: str) -> frozenset[MandateStatus]:
    """The statuses (as seen now) a status filter of the ESCO API selects."""
    return WIRE_STATUSES[wire_status]


def mandate_status(mandate: Mandate, now: datetime) -> str:
    seen = mandate.status_at(now)
    return next(wire for wire, statuses in WIRE_STATUSES.items() if seen in statuses)


def renewal_status(mandate: Mandate, now: datetime) -> str | None:
    state = mandate.renewal_at(now)
    return RENEWALS[state] if state else None


def renewal_of(wire: str) -> RenewalState | None:
    return next((state for state, name in RENEWALS.items() if name == wire), None)


def mandate_view(mandate: Mandate, now: datetime) -> dict[str, Any]:
    view = {
        "referenceNumber": mandate.reference_number,
        "status": mandate_status(mandate, now),
        "ean": mandate.ean,
        "energyType": energy_type(mandate.energy),
        "dataPeriodFrom": utc_midnight(mandate.period_start),
        "dataPeriodTo": utc_midnight(mandate.period_end),
        "dataServiceType": data_service_type(mandate.granularity),
        "mandateExpirationDate": utc(mandate.valid_until),
        "renewalStatus": renewal_status(mandate, now),
    }
    return {key: value for key, value in view.items() if value is not None}


# Energy ---------------------------------------------------------------------------------------


def _value(thousandths: int, unit: str, state: str, factor: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {
        "value": round(thousandths / 1000, 3),
        "unit": unit,
        "validationState": state,
    }
    if factor:
        value["gasConversionFactor"] = factor
    return value


def validation_state(quality: int, on_meter: bool) -> str:
    """A digital meter's values are read or estimated; an AMR's validated or not."""
    if on_meter:
        return "READ" if quality == 2 else "EST"
    return "VAL" if quality == 2 else "NVAL"


def _measurements(piece: Slice, answer: EnergyAnswer) -> list[dict[str, Any]]:
    point = answer.point
    on_meter = point.meter_type is MeterType.DIGITAL
    if point.energy is Energy.GAS:
        value, quality = piece.values["offtake"]
        kwh = round(value * piece.gas_factor)
        state = validation_state(quality, on_meter)
        factor = ("D" if piece.factor_definitive else "C") if on_meter else None
        in_kwh = {"offtake": {"total": _value(kwh, "kWh", state, factor)}}
        return (
            [{"offtake": {"total": _value(value, "m3", state)}}, in_kwh] if on_meter else [in_kwh]
        )
    direction: dict[str, Any] = {}
    for channel, (value, quality) in piece.values.items():
        state = validation_state(quality, on_meter)
        if channel in piece.day_night:
            day_part, night_part = piece.day_night[channel]
            direction[channel] = {
                "day": _value(day_part, "kWh", state),
                "night": _value(night_part, "kWh", state),
            }
        else:
            direction[channel] = {"total": _value(value, "kWh", state)}
    return [direction]


def _slices(pieces: list[Slice] | None, answer: EnergyAnswer) -> list[dict[str, Any]] | None:
    if pieces is None:
        return None
    return [
        {
            "start": utc(piece.start),
            "end": utc(piece.end),
            "measurements": _measurements(piece, answer),
        }
        for piece in pieces
    ]


def _fine_slices(days: list[FineDay] | None, answer: EnergyAnswer) -> orjson.Fragment | None:
    """The quarter-hours (hours) as JSON text, written straight from the stored day arrays: the
    same text `_measurements` would give slot by slot, without an object per slot (a year of
    quarter-hours is 35,136 slots; see tests/unit/test_energy_wire.py, which holds it to that)."""
    if days is None:
        return None
    point = answer.point
    on_meter = point.meter_type is MeterType.DIGITAL
    states = [validation_state(quality, on_meter) for quality in range(3)]
    written: list[str] = []
    for fine in days:
        bounds = slot_bounds_utc(fine.day, fine.minutes, fine.day_hour)
        if point.energy is Energy.GAS:
            measured = _gas_slots(fine, states, on_meter)
        else:
            measured = _electricity_slots(fine, states)
        for index, measurements in measured:
            written.append(
                f'{{"start":"{bounds[index]}","end":"{bounds[index + 1]}",'
                f'"measurements":[{measurements}]}}'
            )
    return orjson.Fragment("[" + ",".join(written) + "]")


def _electricity_slots(fine: FineDay, states: list[str]) -> list[tuple[int, str]]:
    tails = [f',"unit":"kWh","validationState":"{state}"}}}}' for state in states]
    channels = [
        (f'"{channel}":{{"total":{{"value":', series.values, series.qualities)
        for channel, series in fine.channels
    ]
    slots = []
    for index in range(fine.first, fine.stop):
        parts = [
            f"{head}{values[index] / 1000!r}{tails[qualities[index]]}"
            for head, values, qualities in channels
            if index < len(qualities) and qualities[index]
        ]
        if parts:
            slots.append((index, "{" + ",".join(parts) + "}"))
    return slots


def _gas_slots(fine: FineDay, states: list[str], on_meter: bool) -> list[tuple[int, str]]:
    """Gas has one channel, offtake: in m³ and in kWh by the month's factor on a digital meter
    (the factor's state, C or D, beside it), in kWh alone on an AMR."""
    slots: list[tuple[int, str]] = []
    if not fine.channels:
        return slots
    [(_, series)] = fine.channels
    factor = ("D" if fine.factor_definitive else "C") if on_meter else None
    with_factor = f',"gasConversionFactor":"{factor}"' if factor else ""
    values, qualities = series.values, series.qualities
    for index in range(fine.first, min(fine.stop, len(qualities))):
        quality = qualities[index]
        if not quality:
            continue
        state = states[quality]
        kwh = round(values[index] * fine.gas_factor)
        in_kwh = (
            f'{{"offtake":{{"total":{{"value":{kwh / 1000!r},"unit":"kWh",'
            f'"validationState":"{state}"{with_factor}}}}}}}'
        )
        if on_meter:
            in_m3 = (
                f'{{"offtake":{{"total":{{"value":{values[index] / 1000!r},"unit":"m3",'
                f'"validationState":"{state}"}}}}}}'
            )
            slots.append((index, f"{in_m3},{in_kwh}"))
        else:
            slots.append((index, in_kwh))
    return slots


def energy_view(answer: EnergyAnswer) -> dict[str, Any]:
    """The answer's headpoint; its fine series is pre-written JSON (orjson.Fragment), so the
    answer is written with orjson."""
    point = answer.point
    fine_key = "hourlyEnergy" if point.energy is Energy.GAS else "quarterHourlyEnergy"
    series = {
        key: value
        for key, value in (
            ("dailyEnergy", _slices(answer.daily, answer)),
            (fine_key, _fine_slices(answer.fine, answer)),
        )
        if value is not None
    }
    headpoint: dict[str, Any] = {"ean": point.ean, "energyType": energy_type(point.energy)}
    if point.meter_type is MeterType.DIGITAL:
        headpoint = {
            "$type": "metering-on-meter",
            **headpoint,
            "physicalMeters": [{"seqNumber": "1", "meterID": point.meter_number, **series}],
        }
    else:
        headpoint = {"$type": "metering-on-headpoint", **headpoint, **series}
    return {"headpoint": headpoint}
