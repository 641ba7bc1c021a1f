"""The service describing itself: `GET /openapi.json`."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache

from chalice.app import Response

from ..media_types import JSON
from ..serving.routing import Api, Auth, Call, Operation


def create(described: Callable[[], list[Operation]]) -> Api:
    """The meta operations of one app. `described` gives what that app routes, so the document
    describes exactly that (the local stage's extra routes included, the production face not)."""
    api = Api("Meta")

    @cache
    def document() -> bytes:
        from ..serving.openapi import (
            build_document,  # pydantic's JSON-schema machinery: only when asked
        )

        return json.dumps(build_document(described()), separators=(",", ":")).encode()

    @api.operation(
        "GET",
        "/openapi.json",
        auth=Auth.PUBLIC,
        summary="This API's OpenAPI 3.1 document",
    )
    def get_openapi(call: Call) -> Response:
        return Response(body=document().decode(), status_code=200, headers={"Content-Type": JSON})

    return api
