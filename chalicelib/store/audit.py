"""The audit trail (domain/audit.py): one partition, newest last; every entry is added, never
replaced (the code conditions each put on the item not existing; IAM allows no update)."""

from __future__ import annotations

import uuid

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from ..config import table_name
from ..domain.audit import AuditAction, AuditEntry
from .base import Key, TableMeta, register, take_page

TRAIL = "operations"  # the one partition: operators' actions are few (a handful a day)


@register
class AuditItem(Model):
    class Meta(TableMeta):
        table_name = table_name("audit")

    trail = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "{at ISO UTC}#{uuid}": newest last
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    subject = UnicodeAttribute()
    details = JSONAttribute(default=dict)


def append(entry: AuditEntry) -> None:
    AuditItem(
        TRAIL,
        f"{entry.at.isoformat()}#{uuid.uuid4().hex}",
        at=entry.at,
        actor=entry.actor,
        action=entry.action.value,
        subject=entry.subject,
        details=entry.details,
    ).save(condition=AuditItem.entry.does_not_exist())


def page(limit: int, start: Key | None) -> tuple[list[AuditEntry], Key | None]:
    """Newest first."""
    query = AuditItem.query(
        TRAIL, scan_index_forward=False, last_evaluated_key=start, page_size=limit + 1
    )
    items, resume = take_page(query, limit)
    entries = [
        AuditEntry(
            at=item.at,
            actor=item.actor,
            action=AuditAction(item.action),
            subject=item.subject,
            details=dict(item.details or {}),
        )
        for item in items
    ]
    return entries, resume
