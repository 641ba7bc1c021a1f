"""Opaque, tamper-proof list cursors.

A cursor is the store's resume key, signed with HMAC-SHA256 together with the scope it was issued
for (the list and its owner). An altered cursor, or one replayed against another list or tenant,
is refused with 400 `invalid_cursor`; it can never widen what a caller sees.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from ..config import settings
from ..domain.errors import DomainError
from .models import ApiModel

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class Page[Item: BaseModel](ApiModel):
    """One page of a list: `Page[MandateView]` is described as `MandatePage`."""

    items: list[Item]
    next_cursor: str | None

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        return str(params[0].__name__).removesuffix("View") + "Page"


class PageQuery(ApiModel):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=4096)


def _key() -> bytes:
    secret = settings().cursor_key
    if not secret:
        raise DomainError("service_unavailable", "Paging is not configured.")
    return secret.encode()


def _sign(scope: str, payload: bytes) -> bytes:
    return hmac.new(_key(), scope.encode() + b"\x00" + payload, hashlib.sha256).digest()[:16]


def encode_cursor(scope: str, position: dict[str, Any] | None) -> str | None:
    if position is None:
        return None
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    token = _sign(scope, payload) + payload
    return urlsafe_b64encode(token).rstrip(b"=").decode()


def decode_cursor(scope: str, cursor: str | None) -> dict[str, Any] | None:
    if cursor is None:
        return None
    try:
        token = urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except ValueError as error:
        raise _invalid() from error
    signature, payload = token[:16], token[16:]
    if len(signature) < 16 or not hmac.compare_digest(signature, _sign(scope, payload)):
        raise _invalid()
    try:
        position = json.loads(payload)
    except ValueError as error:
        raise _invalid() from error
    if not isinstance(position, dict):
        raise _invalid()
    return position


Position = dict[str, Any]


def paged[T](
    scope: str,
    query: PageQuery,
    fetch: Callable[[int, Position | None], tuple[list[T], Position | None]],
) -> tuple[list[T], str | None]:
    """One page of a list: the caller's cursor checked against its scope, the next one signed."""
    items, resume = fetch(query.limit, decode_cursor(scope, query.cursor))
    return items, encode_cursor(scope, resume)


def _invalid() -> DomainError:
    return DomainError("invalid_cursor", "The cursor is not one this list gave out.")
