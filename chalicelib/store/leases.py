"""Leases: one writer at a time for a named thing (a meter's series during ingest), held in
DynamoDB with an expiry so that a crashed writer does not block the others for long."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.models import Model

from ..config import table_name
from .base import TableMeta, is_condition_failure, register


@register
class LeaseItem(Model):
    class Meta(TableMeta):
        table_name = table_name("leases")

    name = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()


def acquire(name: str, owner: str, now: datetime, seconds: int) -> bool:
    """Take the lease if it is free or expired; False if someone else holds it."""
    free = LeaseItem.name.does_not_exist() | (LeaseItem.expires_at < now)
    try:
        LeaseItem(name, owner=owner, expires_at=now + timedelta(seconds=seconds)).save(
            condition=free
        )
    except PutError as error:
        if is_condition_failure(error):
            return False
        raise
    return True


def release(name: str, owner: str) -> None:
    try:
        LeaseItem(name).delete(condition=LeaseItem.owner == owner)
    except DeleteError as error:
        if not is_condition_failure(error):  # expired and taken over: not ours to remove
            raise
