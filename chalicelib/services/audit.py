"""The audit trail: who changed what, and when (domain/audit.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..domain.audit import AuditAction, AuditEntry
from ..store import audit as audit_store

if TYPE_CHECKING:
    from ..store.base import Key


def record(actor: str, action: AuditAction, subject: str, now: datetime, **details: Any) -> None:
    """After the action succeeded. Should this write fail, the caller hears it (503), and the
    action, which each of these is safe to repeat, can be done again and recorded."""
    audit_store.append(AuditEntry(now, actor, action, subject, details))


def page(limit: int, start: Key | None) -> tuple[list[AuditEntry], Key | None]:
    return audit_store.page(limit, start)
