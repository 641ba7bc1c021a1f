"""What the KBO register tells us about a person's function in an organisation."""

from __future__ import annotations

from datetime import datetime

from ..domain.vocabulary import Role
from . import directory, onboarding


def link_person(
    enterprise_number: str, sub: str, role: Role, organisation_name: str, now: datetime
) -> directory.KboLinkResult:
    result = directory.link_from_kbo(enterprise_number, sub, role, organisation_name, now)
    if result.renamed:
        onboarding.organisation_renamed(enterprise_number)
    return result
