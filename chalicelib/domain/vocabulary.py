"""The words of the domain (docs/domain.md): every enumeration, in one light module.

The HTTP models need these names when the app is imported; the rules and records that use them
load with the use cases, on first need.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class Via(StrEnum):
    KBO = "kbo"  # function in the KBO register
    RMA = "rma"  # delegation by an administrator


class Channel(StrEnum):
    PORTAL = "portal"
    PORTAL_AND_API = "portal_and_api"


class ApplicationStatus(StrEnum):
    REQUESTED = "requested"
    SIGNED = "signed"
    ACTIVE = "active"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    TERMINATED = "terminated"


class AuthMethod(StrEnum):
    CLIENT_SECRET = "client_secret"  # noqa: S105 - the name of a method, not a secret
    PRIVATE_KEY_JWT = "private_key_jwt"


class ClientStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


class Energy(StrEnum):
    ELECTRICITY = "electricity"
    GAS = "gas"

    @property
    def fine_granularity(self) -> Granularity:
        """The finest data a mandate may give: quarter-hours for electricity, hours for gas."""
        return Granularity.HOUR if self is Energy.GAS else Granularity.QUARTER_HOUR

    @property
    def granularities(self) -> tuple[Granularity, Granularity]:
        """What a mandate on this energy may be: days, or the fine one."""
        return (Granularity.DAY, self.fine_granularity)

    @property
    def slot_minutes(self) -> int:
        """The length of its finest slot."""
        return 60 if self is Energy.GAS else 15


class MeterType(StrEnum):
    DIGITAL = "digital"
    AMR = "amr"


class Direction(StrEnum):
    BOTH = "both"
    OFFTAKE = "offtake"
    INJECTION = "injection"


class MeterChannel(StrEnum):
    """What a register measures: energy taken from, or fed into, the grid."""

    OFFTAKE = "offtake"
    INJECTION = "injection"


class Granularity(StrEnum):
    DAY = "day"
    QUARTER_HOUR = "quarter_hour"
    HOUR = "hour"


class MandateStatus(StrEnum):
    REQUESTED = "requested"  # asked by someone who may not grant alone; the grid user decides
    ACTIVE = "active"
    ENDED = "ended"
    EXPIRED = "expired"
    REJECTED = "rejected"  # refused by the grid user, or declined by the customer


class RenewalState(StrEnum):
    """Where a mandate stands towards its end of validity (R5): due for renewal, its renewal
    asked by the EDV (the customer renews it in one step), or lapsed."""

    DUE = "due"
    REQUESTED = "requested"
    EXPIRED = "expired"


class EndReason(StrEnum):
    REVOKED_BY_CUSTOMER = "revoked_by_customer"
    REVOKED_BY_GRID_USER = "revoked_by_grid_user"
    REPLACED = "replaced"
    RENEWED = "renewed"  # the customer renewed it: a new mandate, three more years
    EXPIRED = "expired"
    EDV_TERMINATED = "edv_terminated"
    REFUSED_BY_GRID_USER = "refused_by_grid_user"  # a requested consent, refused
    DECLINED_BY_CUSTOMER = "declined_by_customer"  # an EDV's consent request, declined


class Scenario(StrEnum):
    SUPPLIER_SWITCH = "supplier_switch"
    CUSTOMER_SWITCH = "customer_switch"
    COMBINED_SWITCH = "combined_switch"
    MOVE_IN = "move_in"
    MOVE_OUT = "move_out"
    PHYSICAL_DISCONNECTION = "physical_disconnection"


class MarketEventStatus(StrEnum):
    PENDING = "pending"  # its effective date lies ahead; the market-scenarios job applies it
    APPLIED = "applied"


class EventType(StrEnum):
    REQUESTED = "requested"
    REJECTED = "rejected"
    GRANTED = "granted"
    ENDED = "ended"
    EXPIRED = "expired"
    PERIOD_TRUNCATED = "period_truncated"
    RENEWAL_REQUESTED = "renewal_requested"  # the EDV asked the customer to renew
    EXPIRING = "expiring"  # 30 days of validity left, not renewed
    PURGE_DUE = "purge_due"  # the EDV must delete data it held (a purge duty)
    CONSENT_DECLINED = "consent_declined"  # a consent request declined as a whole: no EAN named


class Resolution(StrEnum):
    QUARTER_HOUR = "quarter_hour"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"

    @property
    def minutes(self) -> int | None:
        return {"quarter_hour": 15, "hour": 60}.get(self.value)

    @property
    def is_fine(self) -> bool:
        return self.minutes is not None
