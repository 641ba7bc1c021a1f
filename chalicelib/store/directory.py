"""Organisations and the links of persons to them (R1): the only code that knows their tables."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..config import table_name
from ..domain.directory import Link, Organisation
from ..domain.vocabulary import Role, Via
from .base import Key, TableMeta, is_condition_failure, register, take_page


@register
class OrganisationItem(Model):
    class Meta(TableMeta):
        table_name = table_name("organisations")

    enterprise_number = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    application_roles = UnicodeSetAttribute(default=set)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class LinksBySub(GlobalSecondaryIndex["LinkItem"]):
    class Meta:
        index_name = "by_sub"
        projection = AllProjection()

    sub = UnicodeAttribute(hash_key=True)
    enterprise_number = UnicodeAttribute(range_key=True)


@register
class LinkItem(Model):
    """A person's link to an organisation, one item per origin (KBO or RMA)."""

    class Meta(TableMeta):
        table_name = table_name("links")

    enterprise_number = UnicodeAttribute(hash_key=True)
    link_key = UnicodeAttribute(range_key=True)  # "{sub}#{via}": both origins of a person adjoin
    sub = UnicodeAttribute()
    via = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    granted_by = UnicodeAttribute(null=True)
    by_sub = LinksBySub()


def _organisation(item: OrganisationItem) -> Organisation:
    return Organisation(
        enterprise_number=item.enterprise_number,
        name=item.name,
        application_roles=frozenset(item.application_roles or ()),
        created_at=item.created_at,
    )


def _link(item: LinkItem) -> Link:
    return Link(
        enterprise_number=item.enterprise_number,
        sub=item.sub,
        via=Via(item.via),
        role=Role(item.role),
        created_at=item.created_at,
        granted_by=item.granted_by,
    )


def get_organisation(enterprise_number: str) -> Organisation | None:
    try:
        return _organisation(OrganisationItem.get(enterprise_number))
    except DoesNotExist:
        return None


def get_organisations(enterprise_numbers: set[str]) -> dict[str, Organisation]:
    if not enterprise_numbers:
        return {}
    items = OrganisationItem.batch_get(sorted(enterprise_numbers))
    return {item.enterprise_number: _organisation(item) for item in items}


def save_organisation_name(enterprise_number: str, name: str, now: datetime) -> tuple[bool, bool]:
    """Create the organisation or rename it. Returns (created, renamed)."""
    try:
        item = OrganisationItem.get(enterprise_number)
    except DoesNotExist:
        item = OrganisationItem(
            enterprise_number, name=name, application_roles=set(), created_at=now, updated_at=now
        )
        item.save(condition=OrganisationItem.enterprise_number.does_not_exist())
        return True, False
    if item.name == name:
        return False, False
    item.update(actions=[OrganisationItem.name.set(name), OrganisationItem.updated_at.set(now)])
    return False, True


def _link_key(sub: str, via: Via) -> str:
    return f"{sub}#{via.value}"


def links_of_person(sub: str) -> list[Link]:
    return [_link(item) for item in LinkItem.by_sub.query(sub)]


def links_of_person_in(sub: str, enterprise_number: str) -> list[Link]:
    query = LinkItem.by_sub.query(sub, LinkItem.enterprise_number == enterprise_number)
    return [_link(item) for item in query]


def links_of_organisation(enterprise_number: str) -> list[Link]:
    return [_link(item) for item in LinkItem.query(enterprise_number)]


def page_links_of_organisation(
    enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[Link], Key | None]:
    query = LinkItem.query(enterprise_number, last_evaluated_key=start, page_size=limit + 1)
    items, resume = take_page(query, limit)
    return [_link(item) for item in items], resume


def get_link(enterprise_number: str, sub: str, via: Via) -> Link | None:
    try:
        return _link(LinkItem.get(enterprise_number, _link_key(sub, via)))
    except DoesNotExist:
        return None


def save_link(link: Link) -> None:
    LinkItem(
        link.enterprise_number,
        _link_key(link.sub, link.via),
        sub=link.sub,
        via=link.via.value,
        role=link.role.value,
        created_at=link.created_at,
        granted_by=link.granted_by,
    ).save()


def delete_link(enterprise_number: str, sub: str, via: Via) -> bool:
    """Remove a link; False when there was none."""
    try:
        LinkItem(enterprise_number, _link_key(sub, via)).delete(
            condition=LinkItem.link_key.exists()
        )
    except DeleteError as error:
        if is_condition_failure(error):
            return False
        raise
    return True
