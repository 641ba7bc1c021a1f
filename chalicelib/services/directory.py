"""Use cases of the organisation directory (R1): who acts for which organisation, and how."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain.directory import (
    Link,
    Membership,
    Organisation,
    check_delegation_removal,
    effective_membership,
    require_admin,
    require_member,
)
from ..domain.errors import DomainError
from ..domain.vocabulary import Role, Via
from ..store import directory as directory_store

if TYPE_CHECKING:
    from ..store.base import Key


def membership(sub: str, enterprise_number: str) -> Membership | None:
    return effective_membership(directory_store.links_of_person_in(sub, enterprise_number))


def member_of(sub: str, enterprise_number: str) -> Membership:
    """The caller's membership, or 403 `not_a_member`."""
    return require_member(membership(sub, enterprise_number))


def admin_of(sub: str, enterprise_number: str) -> Membership:
    """The caller's membership if it is an administrator's, else 403."""
    return require_admin(membership(sub, enterprise_number))


@dataclass(frozen=True)
class OrganisationMembership:
    organisation: Organisation
    membership: Membership


def organisations_of(sub: str) -> list[OrganisationMembership]:
    links_by_org: dict[str, list[Link]] = {}
    for link in directory_store.links_of_person(sub):
        links_by_org.setdefault(link.enterprise_number, []).append(link)
    organisations = directory_store.get_organisations(set(links_by_org))
    result = []
    for enterprise_number in sorted(links_by_org):
        merged = effective_membership(links_by_org[enterprise_number])
        organisation = organisations.get(enterprise_number)
        if merged is not None and organisation is not None:
            result.append(OrganisationMembership(organisation, merged))
    return result


@dataclass(frozen=True)
class KboLinkResult:
    link: Link
    organisation: Organisation
    created: bool
    renamed: bool


def link_from_kbo(
    enterprise_number: str, sub: str, role: Role, organisation_name: str, now: datetime
) -> KboLinkResult:
    """What the KBO register says: this person holds a function in this organisation."""
    _created_org, renamed = directory_store.save_organisation_name(
        enterprise_number, organisation_name, now
    )
    existing = directory_store.get_link(enterprise_number, sub, Via.KBO)
    link = Link(
        enterprise_number=enterprise_number,
        sub=sub,
        via=Via.KBO,
        role=role,
        created_at=existing.created_at if existing else now,
    )
    directory_store.save_link(link)
    organisation = directory_store.get_organisation(enterprise_number)
    assert organisation is not None
    return KboLinkResult(link, organisation, created=existing is None, renamed=renamed)


def get_organisation(enterprise_number: str) -> Organisation | None:
    return directory_store.get_organisation(enterprise_number)


def list_members(
    actor_sub: str, enterprise_number: str, limit: int, start: Key | None
) -> tuple[list[Link], Key | None]:
    admin_of(actor_sub, enterprise_number)
    return directory_store.page_links_of_organisation(enterprise_number, limit, start)


def delegate(
    actor_sub: str, enterprise_number: str, sub: str, role: Role, now: datetime
) -> tuple[Link, bool]:
    """An RMA delegation: an administrator gives a person access for the organisation."""
    admin_of(actor_sub, enterprise_number)
    existing = directory_store.get_link(enterprise_number, sub, Via.RMA)
    if existing is not None and existing.role is Role.ADMIN and role is Role.MEMBER:
        check_delegation_removal(directory_store.links_of_organisation(enterprise_number), sub)
    link = Link(
        enterprise_number=enterprise_number,
        sub=sub,
        via=Via.RMA,
        role=role,
        created_at=existing.created_at if existing else now,
        granted_by=actor_sub,
    )
    directory_store.save_link(link)
    return link, existing is None


def remove_delegation(actor_sub: str, enterprise_number: str, sub: str) -> None:
    admin_of(actor_sub, enterprise_number)
    if directory_store.get_link(enterprise_number, sub, Via.RMA) is None:
        raise DomainError("not_found", "This person has no RMA delegation for the organisation.")
    check_delegation_removal(directory_store.links_of_organisation(enterprise_number), sub)
    directory_store.delete_link(enterprise_number, sub, Via.RMA)
