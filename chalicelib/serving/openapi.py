"""The OpenAPI 3.1 document, generated from the same declarations and pydantic models the
handlers use. `python -m chalicelib.api` prints the production document (kept in the repo as
openapi.json)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ..media_types import FORM, JSON
from .problems import PROBLEM_MEDIA_TYPE, PROBLEM_TYPES
from .routing import PATH_PARAMETERS, Auth, Operation

TITLE = "EDV platform: meter data for energy service providers"
VERSION = "1.0.0"
REF = "#/components/schemas/{model}"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. `code` is stable and machine-readable.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": sorted(PROBLEM_TYPES)},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


def _schemas(operations: Iterable[Operation]) -> tuple[dict[Any, Any], dict[str, Any]]:
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for op in operations:
        for model in (op.body, op.body_doc, op.query):
            if model is not None:
                wanted[(model, "validation")] = None
        for model in (op.response, op.own_error_model):
            if model is not None:
                wanted[(model, "serialization")] = None
    if not wanted:
        return {}, {}
    refs, document = models_json_schema(list(wanted), by_alias=True, ref_template=REF)
    return refs, document.get("$defs", {})


def _parameters(op: Operation, refs: dict[Any, Any], schemas: dict[str, Any]) -> list[Any]:
    parameters: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", op.path):
        schema = PATH_PARAMETERS[name][1] if name in PATH_PARAMETERS else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    if op.query is not None:
        ref = refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        query_schema = schemas[ref]
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            parameter = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": schema,
            }
            if "description" in schema:
                parameter["description"] = schema["description"]
            parameters.append(parameter)
    return parameters


def _content(media_types: tuple[str, ...], schema: dict[str, Any] | None) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for media_type in media_types:
        if media_type == JSON and schema is not None:
            content[media_type] = {"schema": schema}
        elif media_type.startswith("text/"):
            content[media_type] = {"schema": {"type": "string"}}
        else:
            content[media_type] = {"schema": {"type": "string", "contentMediaType": media_type}}
    return content


def _operation(op: Operation, refs: dict[Any, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op, refs, schemas),
    }
    if op.description:
        document["description"] = op.description
    if op.auth is Auth.PUBLIC:
        document["security"] = []
    elif op.auth is Auth.CLIENT:
        document["security"] = [{"clientToken": [], "subscriptionKey": []}]
    if op.body is not None or op.body_doc is not None:
        model = op.body or op.body_doc
        # A documented body comes in the media types the operation reads: JSON, or a form.
        media_types = op.request_media_types if op.body is None else (JSON,)
        document["requestBody"] = {
            "required": not op.body_optional,
            "content": {
                kind: {"schema": refs[(model, "validation")]}
                if kind in (JSON, FORM)
                else {"schema": {"type": "string"}}
                for kind in media_types
            },
        }
    elif op.method in ("PUT", "POST") and op.request_media_types != (JSON,):
        document["requestBody"] = {
            "required": True,
            "content": _content(op.request_media_types, None),
        }
    responses: dict[str, Any] = {}
    if op.status == 204:
        responses["204"] = {"description": "Done"}
    else:
        schema = refs[(op.response, "serialization")] if op.response is not None else None
        response: dict[str, Any] = {"description": "OK"}
        content = _content(op.response_media_types, schema)
        if content and (schema is not None or op.response_media_types != (JSON,)):
            response["content"] = content
        responses[str(op.status)] = response
        if op.replay_status is not None:
            responses[str(op.replay_status)] = {
                "description": "The same request again: nothing changed",
                **({"content": content} if content else {}),
            }
        if op.status == 200 and op.method == "PUT":
            responses["201"] = {
                "description": "Created",
                **({"content": content} if content else {}),
            }
    if op.own_errors is not None and op.own_error_model is not None:
        schema = refs[(op.own_error_model, "serialization")]
        for status, description in sorted(op.own_errors.items()):
            responses[str(status)] = {
                "description": description,
                "content": {JSON: {"schema": schema}},
            }
        document["responses"] = responses
        return document
    by_status: dict[int, list[str]] = {}
    for code in op.problem_codes:
        by_status.setdefault(PROBLEM_TYPES[code][0], []).append(code)
    for status, codes in sorted(by_status.items()):
        responses[str(status)] = {
            "description": "Problem: " + ", ".join(f"`{code}`" for code in codes),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": REF.format(model="Problem")}}},
        }
    document["responses"] = responses
    return document


def build_document(operations: list[Operation]) -> dict[str, Any]:
    refs, schemas = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": (
                "Two faces over one domain: the portal API under /v1 for persons and operators, "
                "and the EDV machine API. Errors are RFC 9457 problem+json with a stable `code`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"personBearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "personBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "clientToken": {
                    "type": "oauth2",
                    "description": "Client credentials: a secret, or private_key_jwt (RFC 7523).",
                    "flows": {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {}}},
                },
                "subscriptionKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Ocp-Apim-Subscription-Key",
                },
            },
            "schemas": {**dict(sorted(schemas.items())), "Problem": PROBLEM_SCHEMA},
        },
    }


def dumps(document: dict[str, Any]) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
