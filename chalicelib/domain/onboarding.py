"""Becoming an EDV (R2, R3): the application's life as a state machine.

requested -> signed -> active -> terminated, with rejected (by the operator) and cancelled (by the
organisation) as ways out before approval. A closed application (rejected, cancelled, terminated)
may be followed by a new one. Every transition records who and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from .errors import DomainError
from .vocabulary import ApplicationStatus as Status
from .vocabulary import Channel

OPEN = frozenset({Status.REQUESTED, Status.SIGNED})
CLOSED = frozenset({Status.REJECTED, Status.CANCELLED, Status.TERMINATED})


@dataclass(frozen=True)
class Transition:
    status: Status
    at: datetime
    by: str
    reason: str | None = None


@dataclass(frozen=True)
class SignedContract:
    key: str
    version_id: str | None
    sha256: str
    size: int
    uploaded_at: datetime
    uploaded_by: str


@dataclass(frozen=True)
class Application:
    enterprise_number: str
    sequence: int  # 1 for the organisation's first application, 2 after a closed one, ...
    channel: Channel
    contact_name: str
    contact_email: str
    service_description: str
    status: Status
    requested_at: datetime
    history: tuple[Transition, ...]
    signed_contract: SignedContract | None = None
    rejection_reason: str | None = None
    version: int = 0  # optimistic lock: a write succeeds only on the version it read
    previous: tuple[Transition, ...] = field(default=())  # history of earlier applications
    pages_pending: bool = False  # its public pages still have to be (re)published
    # Where consent pages may send customers back to (domain/consent.py: lies_under).
    return_url_roots: tuple[str, ...] = ()

    @property
    def contract_number(self) -> str:
        return f"DTC-{self.enterprise_number}-{self.sequence:03d}"

    def at_status(self, status: Status) -> datetime | None:
        """When the application last entered `status`."""
        for transition in reversed(self.history):
            if transition.status is status:
                return transition.at
        return None

    @property
    def decided_at(self) -> datetime | None:
        for transition in reversed(self.history):
            if transition.status in (Status.ACTIVE, Status.REJECTED):
                return transition.at
        return None

    @property
    def api_active(self) -> bool:
        return self.status is Status.ACTIVE and self.channel is Channel.PORTAL_AND_API


def _conflict(detail: str) -> DomainError:
    return DomainError("conflict", detail)


def apply(
    existing: Application | None,
    *,
    enterprise_number: str,
    channel: Channel,
    contact_name: str,
    contact_email: str,
    service_description: str,
    by: str,
    now: datetime,
    return_url_roots: tuple[str, ...] = (),
) -> Application:
    """A new application; only when the organisation has none open or active."""
    if existing is not None and existing.status not in CLOSED:
        raise _conflict(f"The organisation already has an application ({existing.status}).")
    return Application(
        enterprise_number=enterprise_number,
        sequence=(existing.sequence + 1) if existing else 1,
        channel=channel,
        contact_name=contact_name,
        contact_email=contact_email,
        service_description=service_description,
        status=Status.REQUESTED,
        requested_at=now,
        history=(Transition(Status.REQUESTED, now, by),),
        version=existing.version if existing else 0,
        previous=(existing.previous + existing.history) if existing else (),
        pages_pending=existing.pages_pending if existing else False,
        return_url_roots=return_url_roots,
    )


def with_return_url_roots(app: Application, roots: tuple[str, ...]) -> Application:
    """An EDV changes its return URL roots while its application is open or active."""
    if app.status in CLOSED:
        raise _conflict(f"The application is {app.status}; apply again first.")
    return replace(app, return_url_roots=roots)


def _move(
    app: Application, to: Status, by: str, now: datetime, reason: str | None = None
) -> Application:
    return replace(app, status=to, history=(*app.history, Transition(to, now, by, reason)))


def check_can_sign(app: Application) -> None:
    if app.status not in OPEN:
        raise _conflict(f"A signed contract can only be uploaded before approval ({app.status}).")


def sign(app: Application, contract: SignedContract, by: str, now: datetime) -> Application:
    """The signed contract arrived. A new upload replaces it until the operator decides."""
    check_can_sign(app)
    moved = _move(app, Status.SIGNED, by, now) if app.status is Status.REQUESTED else app
    return replace(moved, signed_contract=contract)


def approve(app: Application, by: str, now: datetime) -> Application:
    if app.status is not Status.SIGNED:
        raise _conflict(f"Only a signed application can be approved ({app.status}).")
    return _move(app, Status.ACTIVE, by, now)


def reject(app: Application, reason: str, by: str, now: datetime) -> Application:
    if app.status not in OPEN:
        raise _conflict(
            f"Only an application waiting for a decision can be rejected ({app.status})."
        )
    return replace(_move(app, Status.REJECTED, by, now, reason), rejection_reason=reason)


def cancel(app: Application, by: str, now: datetime) -> Application:
    if app.status not in OPEN:
        raise _conflict(f"An application can only be cancelled before approval ({app.status}).")
    return _move(app, Status.CANCELLED, by, now)


def terminate(app: Application, by: str, now: datetime) -> Application:
    if app.status is not Status.ACTIVE:
        raise _conflict(f"Only an active EDV can terminate its contract ({app.status}).")
    return _move(app, Status.TERMINATED, by, now)


def require_active(app: Application | None) -> Application:
    """R9/R5: an EDV acts only while its contract is active."""
    if app is None or app.status is not Status.ACTIVE:
        raise DomainError(
            "edv_not_active", "This organisation is not an active energy service provider."
        )
    return app


def require_api_channel(app: Application | None) -> Application:
    """R3: machine access only for an active EDV on the portal_and_api channel."""
    active = require_active(app)
    if active.channel is not Channel.PORTAL_AND_API:
        raise DomainError(
            "api_not_enabled", "This EDV reads data through the portal only; it has no API access."
        )
    return active
