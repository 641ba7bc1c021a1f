"""The ESCO face: how the machine API's operations are served the way the Fluvius ESCO API v3
serves its own. Callers are API clients with a token from /oauth2/token and their
Ocp-Apim-Subscription-Key; every answer is `{data, _meta}` (gzip when accepted), every refusal in
the ESCO error shape (`type`, `code`, `message`, `validationErrorMessages`), and query parameters
are read as the reference's framework reads them: case-insensitively, each problem in its words.
The wire words themselves are in esco_wire.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from chalice.app import Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..aws import is_transient
from ..domain.api_clients import ApiClient
from ..domain.brussels import BRUSSELS, SUPPORTED_RANGE, is_supported
from ..domain.errors import DomainError, FieldError, retry_shortly
from ..domain.identifiers import EAN_LENGTH, gs1_check_digit, is_valid_ean
from ..limits import fits_lambda_response
from ..media_types import JSON
from ..observability import logger
from ..services import oauth
from . import esco_wire as wire
from .delivery import COMPRESS_FROM, accepts_gzip, compress
from .models import ApiModel
from .routing import UNAVAILABLE, Call, Face, Operation

# The face --------------------------------------------------------------------------------------


def _authenticate_client(
    operation: Operation, request: Request, now: datetime
) -> tuple[ApiClient, dict[str, str]]:
    client = oauth.authenticate(
        request.headers.get("authorization"), request.headers.get("ocp-apim-subscription-key"), now
    )
    return client, oauth.count_request(client, now).headers()


def _invalid(error: ValidationError, where: str) -> DomainError:
    """Each problem as the reference words it: `Parameter 'x' …` or `Property 'x' …`."""
    noun = "Parameter" if where == "query" else "Property"
    messages = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "missing":
            messages.append(f"{noun} '{name}' is mandatory.")
        elif where == "query":
            messages.append(problem["msg"])
        else:
            messages.append(f"{noun} '{name}': {problem['msg']}")
    return DomainError(
        "validation_error",
        "Request model validation failed." if where == "query" else "Model validation failed.",
        errors=[FieldError(where, message) for message in messages],
    )


def _answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body), status_code=status, headers={"Content-Type": JSON, **(headers or {})}
    )


def _refusal(error: DomainError, operation: Operation) -> Response:
    status, body = wire.error_body(error, body_request=operation.body is not None)
    return _answer(status, body, error.headers)


def _failure(error: Exception, operation: Operation) -> Response:
    if is_transient(error):
        logger.warning("dependency unavailable", exc_info=True)
        status, kind, code, _ = wire.ERRORS["service_unavailable"]
        body = {"type": kind, "code": code, "message": UNAVAILABLE}
        return _answer(status, body, retry_shortly())
    logger.exception("unhandled error", extra={"operation": operation.operation_id})
    status, kind, code, message = wire.INTERNAL
    return _answer(status, {"type": kind, "code": code, "message": message})


def _render(operation: Operation, data: Any, call: Call) -> Response:
    """`{data, _meta}`, gzip-compressed when the client accepts it (httpx and requests do by
    default); an answer too large for Lambda even so is refused with what to do instead."""
    body = orjson.dumps(
        {"data": data, "_meta": {"fetchTime": wire.utc(call.now)}}, option=orjson.OPT_NON_STR_KEYS
    )
    headers: dict[str, str | list[str]] = {"Content-Type": JSON, "Vary": "Accept-Encoding"}
    if accepts_gzip(call.request) and len(body) >= COMPRESS_FROM:
        body = compress(body)
        headers["Content-Encoding"] = "gzip"
    if not fits_lambda_response(len(body)):
        raise DomainError(
            "range_too_large",
            f"The answer would be {len(body) / 1e6:.1f} MB, more than one answer can carry: "
            "send Accept-Encoding: gzip, or ask for a shorter window.",
        )
    return Response(body=body, status_code=200, headers=headers)


# Parameters and bodies -------------------------------------------------------------------------


class EscoModel(ApiModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True)


DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")

# Query parameters -----------------------------------------------------------------------------
# Read the ESCO way: every problem reported, each in the reference's words. A blank value counts as
# absent; a required one then is "mandatory" (the face words pydantic's `missing`).


def blank(value: Any) -> Any:
    return None if value in (None, "") else value


def _missing() -> PydanticCustomError:
    return PydanticCustomError("missing", "Field required")


def _checked(check: Callable[[Any], Any], required: bool) -> BeforeValidator:
    def validate(value: Any) -> Any:
        value = blank(value)
        if value is None:
            if required:
                raise _missing()
            return None
        return check(value)

    return BeforeValidator(validate)


def choice(name: str, allowed: tuple[str, ...], *, required: bool = False) -> BeforeValidator:
    options = " or ".join(f"'{option}'" for option in allowed)

    def check(value: Any) -> Any:
        value = _canonical(value, allowed)
        if value not in allowed:
            raise PydanticCustomError(
                "esco",
                f"Parameter '{name}' must be {options} (case-sensitive) "
                "or must be entirely ommitted.",
            )
        return value

    return _checked(check, required)


def choices(name: str, allowed: tuple[str, ...]) -> BeforeValidator:
    """One or more values, separated by ',', ';' or '|'."""

    def check(value: Any) -> frozenset[str]:
        chosen = {
            _canonical(part.strip(), allowed)
            for part in str(value).replace(";", ",").replace("|", ",").split(",")
            if part.strip()
        }
        if not chosen or chosen - set(allowed):
            raise PydanticCustomError(
                "esco",
                f"Parameter '{name}' must be one or more of {', '.join(allowed)} "
                "(case-sensitive), separated by ',' or ';' or '|'.",
            )
        return frozenset(chosen)

    return _checked(check, required=False)


def _canonical(value: Any, allowed: tuple[str, ...]) -> Any:
    """The reference's framework binds enum values whatever their case: `readtime` is readTime."""
    text = str(value)
    return next((option for option in allowed if option.lower() == text.lower()), text)


def parse_instant(text: str) -> datetime:
    """What the reference's clients send: an ISO 8601 instant with an offset or `Z`; one without
    an offset (UTC, as the ESCO API reads it); a Java ZonedDateTime with its zone appended
    (`2025-03-30T00:00:00+01:00[Europe/Brussels]`); or a date alone, a Brussels date, which
    starts at that day's midnight in Brussels."""
    zone: ZoneInfo | None = None
    if text.endswith("]") and "[" in text:
        text, _, name = text[:-1].partition("[")
        try:
            zone = ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(f"unknown time zone {name!r}") from None
    if DATE_ONLY.fullmatch(text):
        parsed = datetime.combine(date.fromisoformat(text), time(), zone or BRUSSELS)
    else:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone or UTC)
    if not is_supported(parsed):
        raise ValueError(f"{text!r} is outside the supported years {SUPPORTED_RANGE}")
    return parsed


def instant(name: str) -> BeforeValidator:
    def check(value: Any) -> datetime:
        try:
            return parse_instant(str(value))
        except ValueError:
            raise PydanticCustomError(
                "esco", f"Parameter '{name}' must be a date and time (ISO 8601)."
            ) from None

    return _checked(check, required=False)


def ean_parameter(*, required: bool) -> BeforeValidator:
    """18 digits, the last one the GS1 check digit; each fault said as it is."""

    def check(value: Any) -> str:
        text = str(value)
        if len(text) != EAN_LENGTH or not (text.isascii() and text.isdigit()):
            raise PydanticCustomError("esco", "Parameter 'ean' must contain 18 digits.")
        if not is_valid_ean(text):
            raise PydanticCustomError(
                "esco",
                "Parameter 'ean' has a wrong check digit: "
                f"an EAN ending {text[:-1][-4:]}… ends in {gs1_check_digit(text[:-1])}.",
            )
        return text

    return _checked(check, required)


def bind_case_insensitively(model: type[BaseModel], query: dict[str, str]) -> dict[str, str]:
    """Query names as the reference's framework binds them: whatever their case (`PeriodType`
    is periodType); unknown names are ignored."""
    names = {
        (info.alias or field).lower(): info.alias or field
        for field, info in model.model_fields.items()
    }
    bound: dict[str, str] = {}
    for key, value in query.items():
        name = names.get(key.lower())
        if name is not None and name not in bound:
            bound[name] = value
    return bound


def listed(allowed: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": f"One or more of {', '.join(allowed)}, separated by ',', ';' or '|'.",
        }
    )


class EscoQuery(EscoModel):
    """Unknown parameters are ignored, as the reference's framework does."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, extra="ignore")


class ErrorValidationResponse(EscoModel):
    """Every refusal of the machine API, in the ESCO API's own error shape."""

    type: str
    code: str
    message: str
    validation_error_messages: list[str] | None = Field(None, alias="validationErrorMessages")


ESCO = Face(
    name="esco",
    authenticate=_authenticate_client,
    invalid=_invalid,
    refusal=_refusal,
    failure=_failure,
    render=_render,
    route_content_types=(JSON, "text/json", "*/*"),
    bind_query=bind_case_insensitively,
    own_errors=wire.ERROR_STATUSES,
    own_error_model=ErrorValidationResponse,
)
