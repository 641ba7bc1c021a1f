"""RFC 9457 problem+json: the one shape of every error the app produces."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from ..domain.errors import DomainError
from ..media_types import PROBLEM_JSON

PROBLEM_MEDIA_TYPE = PROBLEM_JSON

# code -> (HTTP status, title). A code is stable: clients branch on it.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "bad_request": (400, "Bad request"),
    "invalid_cursor": (400, "Invalid cursor"),
    "invalid_grant": (400, "Invalid grant"),
    # The token service's refusals: RFC 6749 §5.2 error codes, inside problem+json.
    "invalid_request": (400, "Invalid token request"),
    "unsupported_grant_type": (400, "Unsupported grant type"),
    "unsupported_response_type": (400, "Unsupported response type"),
    "invalid_client": (401, "Client authentication failed"),
    "unauthenticated": (401, "Authentication required"),
    "forbidden": (403, "Forbidden"),
    "not_a_member": (403, "Not linked to this organisation"),
    "edv_not_active": (403, "Energy service provider not active"),
    "api_not_enabled": (403, "API channel not enabled"),
    "no_mandate": (403, "No mandate"),
    "not_grid_user": (403, "Not the grid user"),
    "outside_mandate_period": (403, "Outside the mandate's consumption period"),
    "granularity_not_consented": (403, "Granularity not consented"),
    "not_found": (404, "Not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "not_acceptable": (406, "Not acceptable"),
    "conflict": (409, "Conflict"),
    "quota_exceeded": (409, "Quota exceeded"),
    "renewal_not_due": (409, "Not due for renewal"),
    "last_administrator": (409, "Last administrator"),
    "grid_user_change_needs_scenario": (409, "A grid user changes through a market scenario"),
    "payload_too_large": (413, "Payload too large"),
    "unsupported_media_type": (415, "Unsupported media type"),
    "invalid_ean": (422, "Invalid EAN"),
    "invalid_enterprise_number": (422, "Invalid enterprise number"),
    "invalid_period": (422, "Invalid period"),
    "invalid_pdf": (422, "Not a valid PDF"),
    "not_available": (422, "Not available for this access point"),
    "invalid_granularity": (422, "Granularity not available for this energy"),
    "period_before_grid_user": (422, "Period starts before the grid user's start"),
    "range_too_large": (422, "Range too large"),
    "too_many_results": (422, "Too many results to answer at once"),
    "validation_error": (422, "Validation error"),
    "rate_limited": (429, "Too many requests"),
    "too_many_exports": (429, "Too many exports at once"),
    "too_many_changes": (429, "Too many changes on this access point today"),
    "too_many_attempts": (429, "Too many attempts today"),
    "internal_error": (500, "Internal error"),
    "response_too_large": (502, "Response too large"),
    "service_unavailable": (503, "Service unavailable"),
}


def problem_type_uri(code: str) -> str:
    return f"urn:problem-type:edv:{code}"


def problem_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    status, title = PROBLEM_TYPES.get(code, (400, code.replace("_", " ").capitalize()))
    body: dict[str, Any] = {
        "type": problem_type_uri(code),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    code: str, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    body = problem_body(code, detail, **extra)
    return Response(
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        status_code=body["status"],
        headers={"Content-Type": PROBLEM_MEDIA_TYPE, **(headers or {})},
    )


def from_domain_error(error: DomainError) -> Response:
    errors = [{"field": item.field, "message": item.message} for item in error.errors] or None
    return problem_response(
        error.code, error.detail, errors=errors, headers=error.headers, **error.extra
    )
