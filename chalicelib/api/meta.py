"""The service describing itself: `GET /openapi.json`."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from .routing import Api, Auth, Call, Operation

api = Api("Meta")
_served: list[Operation] = []
_document: list[bytes] = []


def serve_operations(operations: list[Operation]) -> None:
    """Called once by create_app with what it routed: the document describes exactly that."""
    _served[:] = operations
    _document.clear()


def document() -> dict[str, Any]:
    from .openapi import build_document  # pydantic's JSON-schema machinery: only when asked

    return build_document(_served)


@api.operation(
    "GET",
    "/openapi.json",
    auth=Auth.PUBLIC,
    summary="This API's OpenAPI 3.1 document",
)
def get_openapi(call: Call) -> Response:
    if not _document:
        _document.append(json.dumps(document(), separators=(",", ":")).encode())
    return Response(
        body=_document[0].decode(), status_code=200, headers={"Content-Type": "application/json"}
    )
