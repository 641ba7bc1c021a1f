"""R12: every read of meter data by an EDV, for the customer to see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .brussels import brussels_date


@dataclass(frozen=True)
class AccessRecord:
    ean: str
    edv: str
    mandate_id: str
    grid_user_key: str  # whose data it was: the mandate's grid user
    range_from: str  # ISO date or instant, as requested
    range_to: str
    resolution: str
    what: str  # volumes | peak_power | energy (ESCO)
    face: str  # portal | api | export (a history export job)
    at: datetime


# Reads of the same EDV, EAN, face and kind this close together are one session: a person
# clicking through Dag/Week/Maand, or a client paging through a year, is one visit, not 34 rows.
SESSION_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class AccessSession:
    edv: str
    ean: str
    face: str
    what: str
    first_at: datetime
    last_at: datetime
    reads: int
    first_day: date  # the earliest day any read of the session covered
    last_day: date  # the latest, inclusive
    resolutions: tuple[str, ...]

    def takes(self, record: AccessRecord) -> bool:
        """Whether `record`, older than every read so far, belongs to this session."""
        same = (record.edv, record.ean, record.face, _kind(record.what)) == (
            self.edv,
            self.ean,
            self.face,
            self.what,
        )
        return same and self.first_at - record.at <= SESSION_GAP

    def plus(self, record: AccessRecord) -> AccessSession:
        first, last = days_read(record)
        return replace(
            self,
            first_at=min(self.first_at, record.at),
            reads=self.reads + 1,
            first_day=min(self.first_day, first),
            last_day=max(self.last_day, last),
            resolutions=tuple(sorted({*self.resolutions, record.resolution})),
        )


def _kind(what: str) -> str:
    # "energy (daily)" and "energy (quarter-hourly)": one kind of read, the machine API's
    return what.split(" ", 1)[0]


def session_of(record: AccessRecord) -> AccessSession:
    first, last = days_read(record)
    return AccessSession(
        edv=record.edv,
        ean=record.ean,
        face=record.face,
        what=_kind(record.what),
        first_at=record.at,
        last_at=record.at,
        reads=1,
        first_day=first,
        last_day=last,
        resolutions=(record.resolution,),
    )


def days_read(record: AccessRecord) -> tuple[date, date]:
    """The first and last Brussels day a read covered, inclusive: its range is half-open, in
    dates (the portal) or instants (the machine API)."""
    first = _day(record.range_from, end=False)
    return first, max(first, _day(record.range_to, end=True))


def _day(text: str, *, end: bool) -> date:
    """The day of a range's bound; an exclusive end gives the day before it."""
    if len(text) == 10:
        day = date.fromisoformat(text)
        return day - timedelta(days=1) if end else day
    instant = datetime.fromisoformat(text)
    return brussels_date(instant - timedelta(microseconds=1) if end else instant)


def sessions[K](
    entries: Iterable[tuple[K, AccessRecord]], limit: int
) -> tuple[list[AccessSession], K | None]:
    """Newest-first reads grouped into at most `limit` sessions, and the key of the last read of
    the last session when more follow (where the next page starts after)."""
    done: list[AccessSession] = []
    current: AccessSession | None = None
    current_end: K | None = None
    for key, record in entries:
        if current is not None and current.takes(record):
            current, current_end = current.plus(record), key
            continue
        if current is not None:
            done.append(current)
            if len(done) == limit:
                return done, current_end
        current, current_end = session_of(record), key
    if current is not None:
        done.append(current)
    return done, None
