"""What both schemathesis runs share (tests/fuzz in-process, tests/e2e against the running
stack): the checks that judge one answer, and how a PDF body is sent."""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

RESPONSE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schemathesis.serializer("application/pdf")
def pdf_bytes(context: Any, value: Any) -> bytes:
    """The signed-contract upload: whatever was generated, as the raw body."""
    return value if isinstance(value, bytes) else str(value).encode()
