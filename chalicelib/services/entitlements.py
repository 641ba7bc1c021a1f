"""The one entitlement check. Every door that hands out meter data asks `of()` what the EDV may
read of the EAN now, and serves exactly that: portal volumes in every format, peak power, the
machine API (read time and insert time), `data_available` webhooks, exports staged on S3. The rule
itself is pure: domain/entitlement.py."""

from __future__ import annotations

from datetime import datetime

from ..domain.brussels import brussels_date
from ..domain.entitlement import Entitlement, entitlement
from ..domain.mandates import Mandate
from ..store import access_points as access_points_store
from ..store import mandates as mandates_store
from ..store import market_events as market_events_store
from ..store import onboarding as onboarding_store


def of(enterprise_number: str, ean: str, now: datetime) -> Entitlement:
    """What this EDV may read of this EAN now; DomainError (`edv_not_active`, `no_mandate`) if
    nothing. Four reads by key: the application, the pair's projection and mandate, the access
    point, and the EAN's due market events not yet applied."""
    onboarding_store.active_application(enterprise_number)
    return of_mandate(mandates_store.active_of_edv_and_ean(enterprise_number, ean), now)


def of_mandate(mandate: Mandate | None, now: datetime) -> Entitlement:
    """The same, for a mandate already in hand (the EDV's activity checked by the caller)."""
    if mandate is None:
        return entitlement(None, None, (), now)
    point = access_points_store.get(mandate.ean)
    events = market_events_store.pending_of_ean(mandate.ean, brussels_date(now))
    return entitlement(mandate, point, events, now)
