"""Paging a short list that is read whole (a customer's own mandates or access points): the
position is an offset into it. Longer lists page by the store's own keys instead."""

from __future__ import annotations

from typing import Any


def offset_page[T](
    items: list[T], limit: int, start: dict[str, Any] | None
) -> tuple[list[T], dict[str, Any] | None]:
    """`limit` items from where `start` (a position this returned) left off, and the next one."""
    offset = int(start.get("offset", 0)) if start else 0
    end = offset + limit
    return items[offset:end], ({"offset": end} if end < len(items) else None)
