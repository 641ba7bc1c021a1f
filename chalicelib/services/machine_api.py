"""What the machine API reads: the EDV's mandates, and energy by read time or insert time. Every
rule of R5-R9 holds as in the portal: the same mandate checks, the same clipping, the same log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from ..domain.access_points import AccessPoint
from ..domain.api_clients import ApiClient
from ..domain.brussels import brussels_date, day_end_utc, day_start_utc, slot_count
from ..domain.entitlement import Entitlement
from ..domain.errors import DomainError
from ..domain.mandates import Mandate, stretches
from ..domain.readings import (
    DEFAULT_GAS_FACTOR,
    DaySeries,
    MonthSeries,
    month_of,
)
from ..domain.vocabulary import Energy, Granularity, MandateStatus, RenewalState
from ..domain.volumes import check_insert_window, check_instant_window, instant_window
from ..observability import Metric, metrics
from ..store import mandates as mandates_store
from ..store import readings as readings_store
from ..store.base import Key
from . import access_log, meterdata
from . import mandates as mandates_service


class PeriodType(StrEnum):
    """Select by when energy was measured, or by when its values were stored here."""

    READ_TIME = "readTime"
    INSERT_TIME = "insertTime"


class Series(StrEnum):
    DAILY = "daily"
    FINE = "hourly_quarterhourly"  # quarter-hours for electricity, hours for gas


@dataclass(frozen=True)
class MandateFilters:
    reference_number: str | None = None
    ean: str | None = None
    granularities: frozenset[Granularity] | None = None  # empty: none (IG, VH_onbepaald)
    energy: Energy | None = None
    statuses: frozenset[MandateStatus] | None = None  # as seen now (Mandate.status_at)
    expiring_by: datetime | None = None
    renewal: RenewalState | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None

    def match(self, mandate: Mandate, now: datetime) -> bool:
        updated = mandate.updated_at or mandate.granted_at
        return (
            (self.reference_number is None or mandate.reference_number == self.reference_number)
            and (self.ean is None or mandate.ean == self.ean)
            and (self.granularities is None or mandate.granularity in self.granularities)
            and (self.energy is None or mandate.energy is self.energy)
            and (self.statuses is None or mandate.status_at(now) in self.statuses)
            and (self.expiring_by is None or mandate.valid_until <= self.expiring_by)
            and (self.renewal is None or mandate.renewal_at(now) is self.renewal)
            and (self.updated_from is None or updated >= self.updated_from)
            and (self.updated_to is None or updated < self.updated_to)
        )


def request_renewal(client: ApiClient, ean: str, now: datetime) -> Mandate:
    """Our extension: the client's EDV asks the customer to renew its active mandate on `ean`."""
    mandate = mandates_store.active_of_edv_and_ean(client.enterprise_number, ean)
    if mandate is None or not mandate.gives_access_at(now):
        raise DomainError("no_mandate", "No Mandates were found.")
    return mandates_service.request_renewal(client.enterprise_number, mandate.id, now)


# The most mandates one answer reads: ~260 bytes each on the wire, so 15,000 are ~4 MB, inside
# Lambda's 6 MB with room for long reference numbers. The reference API has no paging.
MAX_MANDATES_READ = 15_000


def _legs(edv: str, filters: MandateFilters, now: datetime) -> tuple[mandates_store.Leg, ...]:
    return mandates_store.legs_of_edv(
        edv,
        ean=filters.ean,
        reference_number=filters.reference_number,
        updated_from=filters.updated_from,
        updated_to=filters.updated_to,
        stretches=stretches(
            filters.statuses,
            filters.renewal,
            filters.expiring_by,
            now,
            filters.energy,
            filters.granularities,
        ),
    )


def mandates(client: ApiClient, filters: MandateFilters, now: datetime) -> list[Mandate]:
    """Read by the narrowest index the filters allow (`mandates_store.legs_of_edv`). At most
    MAX_MANDATES_READ read for one answer: beyond that a 400 telling which filters narrow it."""
    found = []
    candidates = mandates_store.read(_legs(client.enterprise_number, filters, now))
    for read, mandate in enumerate(candidates, start=1):
        if read > MAX_MANDATES_READ:
            raise DomainError(
                "too_many_results",
                f"More than {MAX_MANDATES_READ:,} mandates to look through for one answer: "
                "narrow the request with ean, status or referenceNumber, or with "
                "lastUpdatedFrom and lastUpdatedTo, or page through them with our extension "
                "pageSize and continuationToken.",
            )
        if filters.match(mandate, now):
            found.append(mandate)
    return sorted(found, key=lambda m: (m.granted_at, m.id))


def mandates_page(
    client: ApiClient, filters: MandateFilters, now: datetime, size: int, start: Key | None
) -> tuple[list[Mandate], Key | None]:
    """Our extension: `size` of the mandates the narrowest index holds for the filters, those
    the filters match, and where the next page starts."""
    legs = _legs(client.enterprise_number, filters, now)
    page, resume = mandates_store.read_page(legs, size, start)
    found = [mandate for mandate in page if filters.match(mandate, now)]
    return sorted(found, key=lambda m: (m.granted_at, m.id)), resume


@dataclass
class Slice:
    """One day of the daily series and, per channel, its value (thousandths) and quality."""

    start: datetime
    end: datetime
    values: dict[str, tuple[int, int]] = field(default_factory=dict)
    day_night: dict[str, tuple[int, int]] = field(default_factory=dict)  # digital: split
    gas_factor: float = DEFAULT_GAS_FACTOR
    factor_definitive: bool = False


@dataclass(frozen=True)
class FineDay:
    """One day of quarter-hours (hours for gas) as stored, one series per channel in the access
    point's order, and the slots of it the answer holds: positions [first, stop) where a
    channel's quality says present. No object per slot: a year is 366 of these, not 35,136."""

    day: date
    day_hour: int
    minutes: int
    first: int
    stop: int
    channels: tuple[tuple[str, DaySeries], ...]
    gas_factor: float = DEFAULT_GAS_FACTOR
    factor_definitive: bool = False


@dataclass(frozen=True)
class EnergyAnswer:
    point: AccessPoint
    mandate: Mandate
    fine: list[FineDay] | None  # quarter-hours (electricity) or hours (gas)
    daily: list[Slice] | None
    wanted: frozenset[Series]
    served_from: datetime  # the window served (read time: clipped to the entitlement)
    served_to: datetime


class ReadingsSource(Protocol):
    """Where energy is read from: the readings store (live), or the sandbox's generated readings
    (domain/sandbox.GeneratedReadings), which hold the same series the same way."""

    def days_between(
        self, ean: str, channel: str, first: date, last: date, day_hour: int = 0
    ) -> dict[date, DaySeries]: ...

    def months_between(
        self, ean: str, channel: str, first: date, last: date
    ) -> dict[date, MonthSeries]: ...

    def changed_days(
        self, ean: str, channel: str, since: datetime, until: datetime, day_hour: int = 0
    ) -> list[DaySeries]: ...

    def changed_months(
        self, ean: str, channel: str, since: datetime, until: datetime
    ) -> list[MonthSeries]: ...


STORED: ReadingsSource = readings_store


@dataclass(frozen=True)
class EnergyAsk:
    """What an energy request asks for."""

    period_type: PeriodType
    series: frozenset[Series] | None = None  # None: all the mandate gives
    window_from: datetime | None = None
    window_to: datetime | None = None
    reference_number: str | None = None  # only under the mandate with this reference
    active: bool = True  # active energy; asked for reactive energy alone, there is none we keep


def energy(client: ApiClient, ean: str, asked: EnergyAsk, now: datetime) -> EnergyAnswer:
    """Live energy: what the EDV's one entitlement on the EAN gives, from the readings store,
    written to the access log."""
    granted, _ = meterdata.authorise(None, client.enterprise_number, ean, now)
    mandate = granted.mandate
    if asked.reference_number not in (None, mandate.reference_number):
        raise DomainError("no_mandate", "No mandate with this reference number on this EAN.")
    answer = energy_of(granted, STORED, asked, now)
    if answer.served_to <= answer.served_from:
        return answer  # nothing of the window was readable: nothing was read
    access_log.record(
        mandate,
        range_from=answer.served_from.astimezone(UTC).isoformat(),
        range_to=answer.served_to.astimezone(UTC).isoformat(),
        resolution="+".join(sorted(answer.wanted)),
        what=f"energy ({asked.period_type.value})",
        face="api",
        now=now,
    )
    metrics.add(Metric.READS_SERVED, face="api")
    return answer


def energy_of(
    granted: Entitlement, source: ReadingsSource, asked: EnergyAsk, now: datetime
) -> EnergyAnswer:
    """What an entitlement gives by read time (the window clipped to it) or insert time
    (whatever was stored in the window, within it), read from `source`. Active energy only: asked
    for reactive energy alone (`active` False), there is nothing we keep."""
    point, mandate = granted.point, granted.mandate
    period_type = asked.period_type
    wanted = wanted_series(asked.series, fine_allowed=granted.fine)
    if granted.gives_nothing:
        raise DomainError("no_mandate", "This mandate gives nothing to read (see the feed).")
    period_from, period_to = granted.instants  # what the one entitlement lets it read
    start, to = instant_window(asked.window_from, asked.window_to, now)
    if period_type is PeriodType.INSERT_TIME:
        check_insert_window(start, to)
    if period_type is PeriodType.READ_TIME:
        check_instant_window(start, to, fine=Series.FINE in wanted)
        # Clipped, as the portal does; outside it, nothing (a daily sync after a truncation
        # into the past keeps working, with empty answers).
        start, to = max(start, period_from), min(to, period_to)
        if to <= start:
            return EnergyAnswer(
                point,
                mandate,
                [] if Series.FINE in wanted else None,
                [] if Series.DAILY in wanted else None,
                wanted,
                start,
                start,
            )
    if not asked.active:
        return EnergyAnswer(point, mandate, None, None, wanted, start, start)  # nothing read
    fine = daily = None
    if Series.FINE in wanted:
        fine = _fine(source, point, period_type, start, to, period_from, period_to)
    for channel in (c.value for c in point.channels):
        if Series.DAILY in wanted:
            daily = _merge(daily, _daily(source, point, channel, period_type, start, to, granted))
    return EnergyAnswer(point, mandate, fine, daily, wanted, start, to)


def wanted_series(series: frozenset[Series] | None, *, fine_allowed: bool) -> frozenset[Series]:
    """The series an energy request asks for: by default all the mandate gives; fine ones only
    under a fine mandate."""
    wanted = series or (frozenset(Series) if fine_allowed else frozenset({Series.DAILY}))
    if Series.FINE in wanted and not fine_allowed:
        raise DomainError(
            "granularity_not_consented", "The customer shared day values only (VH_dag)."
        )
    return wanted


def _merge(slices: list[Slice] | None, more: list[Slice]) -> list[Slice]:
    if slices is None:
        return more
    by_start = {piece.start: piece for piece in slices}
    for piece in more:
        if piece.start in by_start:
            by_start[piece.start].values.update(piece.values)
            by_start[piece.start].day_night.update(piece.day_night)
        else:
            by_start[piece.start] = piece
    return [by_start[key] for key in sorted(by_start)]


def _fine(
    source: ReadingsSource,
    point: AccessPoint,
    period_type: PeriodType,
    start: datetime,
    to: datetime,
    period_from: datetime,
    period_to: datetime,
) -> list[FineDay]:
    """The stored days of every channel, merged by position, each with the slots it serves."""
    minutes, hour = point.energy.slot_minutes, point.day_hour
    channels = [c.value for c in point.channels]
    stored: dict[str, dict[date, DaySeries]] = {}
    for channel in channels:
        if period_type is PeriodType.INSERT_TIME:
            changed = source.changed_days(point.ean, channel, start, to, hour)
            stored[channel] = {item.day: item for item in changed}
        else:
            first = brussels_date(start, hour)
            last = brussels_date(to - timedelta(microseconds=1), hour)
            stored[channel] = source.days_between(point.ean, channel, first, last, hour)
    if period_type is PeriodType.INSERT_TIME:
        lower, upper = period_from, period_to  # whatever changed, within the mandate
    else:
        lower, upper = start, to
    days = sorted({day for found in stored.values() for day in found})
    factors = _factors(source, point, channels[0], set(days)) if point.energy is Energy.GAS else {}
    step = timedelta(minutes=minutes)
    served = []
    for day in days:
        base = day_start_utc(day, hour)
        # Slot k starts at base + k·step; it is served when lower <= that < upper.
        first_slot = max(0, -((base - lower) // step))
        stop = min(slot_count(day, minutes, hour), -((base - upper) // step))
        if first_slot >= stop:
            continue
        present = tuple((c, stored[c][day]) for c in channels if day in stored[c])
        factor, definitive = factors.get(month_of(day), (DEFAULT_GAS_FACTOR, False))
        served.append(FineDay(day, hour, minutes, first_slot, stop, present, factor, definitive))
    return served


def _daily(
    source: ReadingsSource,
    point: AccessPoint,
    channel: str,
    period_type: PeriodType,
    start: datetime,
    to: datetime,
    granted: Entitlement,
) -> list[Slice]:
    hour = point.day_hour  # a gas day runs from 06:00 to 06:00 (R14)
    if period_type is PeriodType.INSERT_TIME:
        changed = source.changed_months(point.ean, channel, start, to)
        months = {item.month: item for item in changed}
        days = [d for m in months.values() for d in _days_of(m.month)]
        first, end = granted.first, granted.end
    else:
        first, end = (
            brussels_date(start, hour),
            brussels_date(to - timedelta(microseconds=1), hour) + timedelta(days=1),
        )
        months = source.months_between(point.ean, channel, first, end - timedelta(days=1))
        days = [first + timedelta(days=n) for n in range((end - first).days)]
    slices = []
    for day in days:
        month = months.get(month_of(day))
        day_start = day_start_utc(day, hour)
        if month is None or not (first <= day < end) or not granted.covers(day):
            continue
        if period_type is PeriodType.READ_TIME and not start <= day_start < to:
            continue
        value, quality, derived = month.day_value(day)
        if not quality:
            continue
        piece = Slice(day_start, day_end_utc(day, hour), {channel: (value, quality)})
        if derived:
            piece.day_night[channel] = (month.day_part[day.day - 1], month.night_part[day.day - 1])
        piece.gas_factor = month.gas_factor
        piece.factor_definitive = month.gas_factor != DEFAULT_GAS_FACTOR
        slices.append(piece)
    return slices


def _days_of(month: date) -> list[date]:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [month + timedelta(days=n) for n in range((following - month).days)]


def _factors(
    source: ReadingsSource, point: AccessPoint, channel: str, days: set[date]
) -> dict[date, tuple[float, bool]]:
    if not days:
        return {}
    months = source.months_between(point.ean, channel, min(days), max(days))
    return {m: (s.gas_factor, s.gas_factor != DEFAULT_GAS_FACTOR) for m, s in months.items()}
