"""Persons and organisations (R1): `GET /v1/me` and the members of an organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.vocabulary import Role, Via
from ..services import directory
from ..serving.models import ApiModel, RequestBody
from ..serving.paging import Page, PageQuery, paged
from ..serving.routing import Api, Auth, Call, Reply
from ..serving.types import Instant

if TYPE_CHECKING:
    from ..domain.directory import Link

api = Api("Persons and organisations")


class ApplicationRole(ApiModel):
    application: str
    role: str


class MyOrganisation(ApiModel):
    enterprise_number: str
    name: str
    role: Role
    via: Via
    application_roles: list[ApplicationRole]


class Me(ApiModel):
    sub: str
    name: str
    roles: list[str]
    organisations: list[MyOrganisation]


class Member(ApiModel):
    sub: str
    role: Role
    via: Via
    since: Instant
    granted_by: str | None


MemberPage = Page[Member]


class Delegation(RequestBody):
    role: Role


def member_view(link: Link) -> Member:
    return Member(
        sub=link.sub,
        role=link.role,
        via=link.via,
        since=link.created_at,
        granted_by=link.granted_by,
    )


@api.operation("GET", "/v1/me", auth=Auth.PERSON, summary="Who am I", response=Me)
def get_me(call: Call) -> Me:
    """The caller, their roles, and the organisations they act for (with the EDV role, if any)."""
    person = call.person
    organisations = [
        MyOrganisation(
            enterprise_number=entry.organisation.enterprise_number,
            name=entry.organisation.name,
            role=entry.membership.role,
            via=entry.membership.via,
            application_roles=[
                ApplicationRole(application=application, role=role)
                for application, role in entry.organisation.roles_by_application
            ],
        )
        for entry in directory.organisations_of(person.sub)
    ]
    return Me(
        sub=person.sub, name=person.name, roles=sorted(person.roles), organisations=organisations
    )


@api.operation(
    "GET",
    "/v1/organisations/{en}/members",
    auth=Auth.PERSON,
    summary="List the organisation's members",
    query=PageQuery,
    response=MemberPage,
    errors=("not_a_member", "forbidden", "invalid_cursor"),
)
def list_members(call: Call, enterprise_number: str, query: PageQuery) -> MemberPage:
    """Administrators only: every link of a person to the organisation, with its origin."""
    links, next_cursor = paged(
        f"members:{enterprise_number}",
        query,
        lambda limit, start: directory.list_members(
            call.person.sub, enterprise_number, limit, start
        ),
    )
    return MemberPage(items=[member_view(link) for link in links], next_cursor=next_cursor)


@api.operation(
    "PUT",
    "/v1/organisations/{en}/members/{sub}",
    auth=Auth.PERSON,
    summary="Delegate access (RMA)",
    body=Delegation,
    response=Member,
    errors=("not_a_member", "forbidden", "last_administrator"),
)
def put_member(call: Call, enterprise_number: str, sub: str, body: Delegation) -> Reply:
    """Administrators give a person a role for the organisation; 201 when new, 200 when changed."""
    link, created = directory.delegate(call.person.sub, enterprise_number, sub, body.role, call.now)
    return Reply(member_view(link), status=201 if created else 200)


@api.operation(
    "DELETE",
    "/v1/organisations/{en}/members/{sub}",
    auth=Auth.PERSON,
    summary="Remove an RMA delegation",
    status=204,
    errors=("not_a_member", "forbidden", "not_found", "last_administrator"),
)
def delete_member(call: Call, enterprise_number: str, sub: str) -> None:
    """KBO links come from the register and cannot be removed here."""
    directory.remove_delegation(call.person.sub, enterprise_number, sub)
