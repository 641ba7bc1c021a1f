"""Acting for an organisation (R1): who is linked, how, and with which role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .errors import DomainError
from .vocabulary import Role, Via

EDV_ROLE = "verbruik:energiedienstverlener"  # role energiedienstverlener for application verbruik


@dataclass(frozen=True)
class Organisation:
    enterprise_number: str
    name: str
    application_roles: frozenset[str]  # "application:role", e.g. verbruik:energiedienstverlener
    created_at: datetime

    @property
    def roles_by_application(self) -> list[tuple[str, str]]:
        """(application, role) pairs, sorted."""
        pairs = (role.partition(":") for role in sorted(self.application_roles))
        return [(application, role) for application, _, role in pairs]


@dataclass(frozen=True)
class Link:
    enterprise_number: str
    sub: str
    via: Via
    role: Role
    created_at: datetime
    granted_by: str | None = None


@dataclass(frozen=True)
class Membership:
    """What a person may do for an organisation, merged over their links."""

    enterprise_number: str
    role: Role
    via: Via

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def effective_membership(links: Iterable[Link]) -> Membership | None:
    """The strongest of a person's links to one organisation; KBO wins a tie (the register)."""
    best: Link | None = None
    for link in links:
        if best is None or _rank(link) > _rank(best):
            best = link
    if best is None:
        return None
    return Membership(best.enterprise_number, best.role, best.via)


def _rank(link: Link) -> tuple[int, int]:
    return (link.role is Role.ADMIN, link.via is Via.KBO)


def require_member(membership: Membership | None) -> Membership:
    if membership is None:
        raise DomainError("not_a_member", "You are not linked to this organisation.")
    return membership


def require_admin(membership: Membership | None) -> Membership:
    member = require_member(membership)
    if not member.is_admin:
        raise DomainError("forbidden", "Only an administrator of the organisation may do this.")
    return member


def check_delegation_removal(links: list[Link], sub: str) -> None:
    """Removing an RMA delegation may not leave the organisation without an administrator."""
    remaining_admins = [
        link
        for link in links
        if link.role is Role.ADMIN and not (link.sub == sub and link.via is Via.RMA)
    ]
    if not remaining_admins:
        raise DomainError(
            "last_administrator",
            "This is the organisation's last administrator; appoint another one first.",
        )
