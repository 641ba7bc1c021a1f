"""Declaring an HTTP operation once: the route, who may call it, its models and its errors.

Each declaration registers a Chalice route and an `Operation`, from which the OpenAPI document and
the authorisation matrix are generated. One serve path handles every operation: it authenticates,
parses path, query and body into pydantic models, calls the handler and renders what it returns.
What differs between the portal API and the machine API (how callers authenticate, how errors and
answers look) is a `Face`, a value each `Api` is given. Handlers hold no rules: they call one
service function and map its result.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..aws import is_transient
from ..config import settings
from ..domain.api_clients import ApiClient
from ..domain.brussels import SUPPORTED_RANGE, is_supported
from ..domain.errors import DomainError, FieldError, retry_shortly
from ..domain.identifiers import parse_ean, parse_enterprise_number
from ..media_types import JSON
from ..observability import logger
from .auth import Person, authenticate_person
from .problems import from_domain_error, problem_response

DEFAULT_MAX_BODY = 1024 * 1024
UNAVAILABLE = "A service we depend on is busy or unavailable; please try again shortly."
SPECIAL_CODES = ("invalid_ean", "invalid_enterprise_number", "invalid_period")
# Identifiers in a path become DynamoDB keys (at most 2,048 bytes, 1,024 for a sort key); none of
# ours is longer than this, so a longer one names nothing and never reaches the table.
MAX_PATH_VALUE_BYTES = 256


class Auth(StrEnum):
    PUBLIC = "public"
    PERSON = "person"
    OPERATOR = "operator"
    CLIENT = "client"  # an EDV's API client: token from /oauth2/token, subscription key


# Path parameters are parsed in one place, by name, so every route validates them the same way.
PATH_PARAMETERS: dict[str, tuple[Callable[[str], str], dict[str, Any]]] = {
    "en": (parse_enterprise_number, {"type": "string", "pattern": "^[0-9]{10}$"}),
    "ean": (parse_ean, {"type": "string", "pattern": "^[0-9]{18}$"}),
}
# `{en}` is short in URLs only; handlers and everything below them say enterprise_number.
HANDLER_NAMES = {"en": "enterprise_number"}


@dataclass(frozen=True)
class Face:
    """How one face of the API meets its callers. Every step is a plain function, so the serve
    path is the same for both faces; only these differ."""

    name: str
    # Who calls (None for a public operation), and headers that go on every answer to them.
    authenticate: Callable[[Operation, Request, datetime], tuple[Any, dict[str, str]]]
    # A pydantic ValidationError in the query ("query") or the body ("body"), as our error.
    invalid: Callable[[ValidationError, str], DomainError]
    refusal: Callable[[DomainError, Operation], Response]
    failure: Callable[[Exception, Operation], Response]
    render: Callable[[Operation, Any, Call], Response]
    # The media types Chalice routes requests with (None: each operation's own).
    route_content_types: tuple[str, ...] | None = None
    # How query names bind to the query model's fields (None: exactly, by alias).
    bind_query: Callable[[type[BaseModel], dict[str, str]], dict[str, str]] | None = None
    # A face with its own error shape: status -> description, and the body model. When set,
    # these replace the problem+json answers in the OpenAPI document.
    own_errors: dict[int, str] | None = None
    own_error_model: type[BaseModel] | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    auth: Auth
    status: int = 200
    body: type[BaseModel] | None = None
    body_doc: type[BaseModel] | None = None  # a body the handler reads itself, described for docs
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    errors: tuple[str, ...] = ()
    request_media_types: tuple[str, ...] = (JSON,)
    response_media_types: tuple[str, ...] = (JSON,)
    max_body_bytes: int = DEFAULT_MAX_BODY
    body_optional: bool = False  # an empty body means all defaults
    description: str = ""
    replay_status: int | None = None  # the same request again answers this, changing nothing
    face: Face | None = None  # None: the portal face

    @property
    def own_errors(self) -> dict[int, str] | None:
        return self.face.own_errors if self.face else None

    @property
    def own_error_model(self) -> type[BaseModel] | None:
        return self.face.own_error_model if self.face else None

    @property
    def problem_codes(self) -> tuple[str, ...]:
        """Every code this operation can answer with, its own and those its shape implies."""
        implied: list[str] = ["service_unavailable"]  # a throttled or unavailable dependency
        if self.auth is not Auth.PUBLIC:
            implied.append("unauthenticated")
        if self.auth is Auth.OPERATOR:
            implied.append("forbidden")
        if "{" in self.path:
            implied.append("not_found")  # an identifier longer than any we give out
        if "{en}" in self.path:
            implied.append("invalid_enterprise_number")
        if "{ean}" in self.path:
            implied.append("invalid_ean")
        if self.query is not None or self.body is not None or self.body_doc is not None:
            implied.append("validation_error")
        if self.body is not None or self.method in ("PUT", "POST"):
            implied += ["bad_request", "payload_too_large", "unsupported_media_type"]
        return tuple(dict.fromkeys([*implied, *self.errors]))


@dataclass
class Call:
    """One request as a handler sees it: who calls, when, and the raw request if it needs more."""

    request: Request
    now: datetime
    principal: Person | ApiClient | None

    @property
    def person(self) -> Person:
        if not isinstance(self.principal, Person):
            raise DomainError("unauthenticated", "This endpoint needs a bearer token.")
        return self.principal

    @property
    def client(self) -> ApiClient:
        if not isinstance(self.principal, ApiClient):
            raise DomainError("unauthenticated", "This endpoint needs an API client's token.")
        return self.principal

    @property
    def raw_body(self) -> bytes:
        body = self.request.raw_body
        return body if isinstance(body, bytes) else (body or "").encode()


@dataclass
class Reply:
    """A JSON reply with a status or headers other than the operation's defaults."""

    body: BaseModel | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_response(model: BaseModel | None, status: int, headers: dict[str, str]) -> Response:
    body = model.model_dump_json(by_alias=True) if model is not None else ""
    merged: dict[str, str | list[str]] = dict(headers)
    if model is not None:
        merged["Content-Type"] = JSON
    return Response(body=body, status_code=status, headers=merged)


# The portal face ---------------------------------------------------------------------------


def _authenticate_person(
    operation: Operation, request: Request, now: datetime
) -> tuple[Person | None, dict[str, str]]:
    if operation.auth is Auth.PUBLIC:
        return None, {}
    principal = authenticate_person(request.headers.get("authorization"), settings())
    if operation.auth is Auth.OPERATOR and not principal.is_operator:
        raise DomainError("forbidden", "Only the grid operator's staff may do this.")
    return principal, {}


def _invalid_fields(error: ValidationError, where: str) -> DomainError:
    prefix = "query." if where == "query" else ""
    items = []
    code = "validation_error"
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"])
        items.append(
            FieldError(f"{prefix}{location}" if location else prefix.rstrip("."), detail["msg"])
        )
        if detail["type"] in SPECIAL_CODES and code == "validation_error":
            code = detail["type"]
    return DomainError(code, "The request has invalid fields.", errors=items)


def _problem(error: DomainError, operation: Operation) -> Response:
    return from_domain_error(error)


def _render(operation: Operation, result: Any, call: Call) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, Reply):
        return json_response(result.body, result.status or operation.status, result.headers)
    if result is None:
        return Response(body="", status_code=204 if operation.status == 200 else operation.status)
    if isinstance(result, BaseModel):
        return json_response(result, operation.status, {})
    raise TypeError(f"{operation.operation_id} returned {type(result).__name__}")


def unexpected_error(error: Exception, operation: Operation) -> Response:
    """An AWS throttle or outage is a 503 the caller may retry; anything else is our fault. Either
    way the request wrote nothing it cannot finish: writes are transactions or idempotent steps."""
    if is_transient(error):
        logger.warning(
            "dependency unavailable", extra={"operation": operation.operation_id}, exc_info=True
        )
        return problem_response(
            "service_unavailable",
            UNAVAILABLE,
            headers=retry_shortly(),
        )
    logger.exception("unhandled error", extra={"operation": operation.operation_id})
    return problem_response("internal_error", "Something went wrong on our side.")


PORTAL = Face(
    name="portal",
    authenticate=_authenticate_person,
    invalid=_invalid_fields,
    refusal=_problem,
    failure=unexpected_error,
    render=_render,
)


# The one serve path --------------------------------------------------------------------------


def _parse(face: Face, model: type[BaseModel], data: Any, where: str) -> BaseModel:
    try:
        parsed = model.model_validate(data)
        _check_years(model, parsed)
    except ValidationError as error:
        raise face.invalid(error, where) from error
    return parsed


def _check_years(model: type[BaseModel], parsed: BaseModel) -> None:
    """Every date and instant of every request, on both faces, within the supported years
    (domain/brussels.py): year 1 or 9999 would overflow the date arithmetic behind them."""
    outside = [
        InitErrorDetails(
            type=PydanticCustomError(
                "out_of_range",
                "Dates and instants lie in the years {range}.",
                {"range": SUPPORTED_RANGE},
            ),
            loc=path,
            input=str(value),
        )
        for path, value in _dates_in(parsed, ())
        if not is_supported(value)
    ]
    if outside:
        raise ValidationError.from_exception_data(model.__name__, outside)


def _dates_in(
    value: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, date):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            yield from _dates_in(getattr(value, name), (*path, field.alias or name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _dates_in(item, (*path, index))


def _parse_json_body(face: Face, operation: Operation, call: Call) -> BaseModel:
    assert operation.body is not None
    raw = call.raw_body
    if not raw and operation.body_optional:
        return _parse(face, operation.body, {}, "body")
    if not raw:
        raise DomainError("bad_request", "The request needs a JSON body.")
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise DomainError("bad_request", f"The body is not valid JSON: {error}") from error
    return _parse(face, operation.body, data, "body")


def serve(
    face: Face,
    operation: Operation,
    handler: Callable[..., Any],
    request: Request,
    path_values: dict[str, str],
) -> Response:
    now = datetime.now(UTC)
    every_answer: dict[str, str] = {}
    try:
        principal, every_answer = face.authenticate(operation, request, now)
        call = Call(request=request, now=now, principal=principal)
        kwargs: dict[str, Any] = {}
        for name, value in path_values.items():
            if len(value.encode()) > MAX_PATH_VALUE_BYTES:
                raise DomainError("not_found", f"No {name} is that long.")
            parser = PATH_PARAMETERS.get(name)
            kwargs[HANDLER_NAMES.get(name, name)] = parser[0](value) if parser else value
        if len(call.raw_body) > operation.max_body_bytes:
            raise DomainError(
                "payload_too_large", f"The body may be at most {operation.max_body_bytes} bytes."
            )
        if operation.query is not None:
            query = dict(request.query_params or {})
            if face.bind_query is not None:
                query = face.bind_query(operation.query, query)
            kwargs["query"] = _parse(face, operation.query, query, "query")
        if operation.body is not None:
            kwargs["body"] = _parse_json_body(face, operation, call)
        response = face.render(operation, handler(call, **kwargs), call)
    except DomainError as error:
        response = face.refusal(error, operation)
    except Exception as error:
        response = face.failure(error, operation)
    for name, value in every_answer.items():
        response.headers.setdefault(name, value)
    return response


class Api:
    """A group of operations on one Chalice blueprint, all on one face."""

    def __init__(self, tag: str, face: Face = PORTAL, operation_prefix: str = "") -> None:
        self.tag = tag
        self.face = face
        self.operation_prefix = operation_prefix
        self.blueprint = Blueprint(__name__)
        self.operations: list[Operation] = []

    def operation(
        self,
        method: str,
        path: str,
        *,
        auth: Auth,
        summary: str,
        **options: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                method=method,
                path=path,
                operation_id=self.operation_prefix + handler.__name__,
                summary=summary,
                tag=self.tag,
                auth=auth,
                description=(handler.__doc__ or "").strip(),
                face=None if self.face is PORTAL else self.face,
                **options,
            )
            self.operations.append(operation)
            self.blueprint.route(
                path,
                methods=[method],
                content_types=list(self.face.route_content_types or operation.request_media_types),
            )(self._view(operation, handler))
            return handler

        return decorate

    def _view(self, operation: Operation, handler: Callable[..., Any]) -> Callable[..., Response]:
        blueprint, face = self.blueprint, self.face

        def view(**path_values: str) -> Response:
            return serve(face, operation, handler, blueprint.current_request, path_values)

        view.__name__ = operation.operation_id
        return view
