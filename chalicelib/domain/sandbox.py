"""The machine API's sandbox (/esco-sbx/v3): mock mandates an EDV makes for itself, and realistic
meter data generated for them, so EDV software can be built and tested before any customer
consents. Pure: nothing here reads live data, and the same EAN, moment and clock give the same
values every time.

Which meter an EAN stands for follows from its last data digits (the check digit aside): the
second-to-last digit odd means gas, even electricity; the third-to-last 5 or more means an AMR
meter, less a digital one. `541448860000000011` is a digital gas meter, `541448860000000028` a
digital electricity meter, `541448860000000509` an AMR electricity meter.

The data behaves as real data does: a household's load shape (and solar injection for a digital
electricity meter), gas heating in gas days (06:00 to 06:00), the daylight-saving days with their
92/100 quarter-hours and 23/25 hours, about one slot in 200 missing, and every value first stored
as an estimate an hour after its slot ends and validated two days later, which `insertTime`
windows show.
"""

from __future__ import annotations

import math
import zlib
from array import array
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from .access_points import AccessPoint, GridUser, Tenure
from .brussels import BRUSSELS, add_years, brussels_date, day_start_utc, slot_count
from .errors import DomainError, FieldError
from .mandates import RENEWAL_WINDOW, Mandate, valid_until
from .readings import DaySeries, MonthSeries, Quality, days_in_month, month_of
from .vocabulary import (
    Direction,
    EndReason,
    Energy,
    Granularity,
    MandateStatus,
    MeterType,
    RenewalState,
)

ESTIMATED_AFTER = timedelta(hours=1)
VALIDATED_AFTER = timedelta(days=2)
GAS_FACTOR = 11.1  # kWh per m³, as the market would send it
MISSING_ONE_IN = 200
DEFAULT_PERIOD_YEARS = 3  # a mock without a data period covers three years back and ahead
SANDBOX_CUSTOMER = GridUser("person", "sandbox")  # the sandbox's imaginary grid user
SINCE = date(2000, 1, 1)  # the imaginary customer has been grid user of every sandbox EAN since


def meter_of(ean: str) -> tuple[Energy, MeterType]:
    energy = Energy.GAS if int(ean[-2]) % 2 else Energy.ELECTRICITY
    meter_type = MeterType.AMR if int(ean[-3]) >= 5 else MeterType.DIGITAL
    return energy, meter_type


def access_point(ean: str) -> AccessPoint:
    energy, meter_type = meter_of(ean)
    both = energy is Energy.ELECTRICITY and meter_type is MeterType.DIGITAL
    return AccessPoint(
        ean=ean,
        energy=energy,
        meter_type=meter_type,
        direction=Direction.BOTH if both else Direction.OFFTAKE,
        address="Sandboxstraat 1, 9000 Gent",
        meter_number="SBX" + ean[-8:],
        tenures=(Tenure(SANDBOX_CUSTOMER, SINCE),),
    )


def _noise(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for the parts."""
    return zlib.crc32("|".join(map(str, parts)).encode()) / 2**32


def _missing(ean: str, start: datetime) -> bool:
    return zlib.crc32(f"{ean}|gap|{start.timestamp()}".encode()) % MISSING_ONE_IN == 0


def _values(point: AccessPoint, start: datetime, minutes: int) -> dict[str, int]:
    """Thousandths of kWh (electricity) or m³ (gas) per channel for the slot starting at start."""
    local = start.astimezone(BRUSSELS)
    hour = local.hour + local.minute / 60 + minutes / 120
    season = math.cos(2 * math.pi * (local.timetuple().tm_yday - 15) / 365)  # 1 in January
    jitter = 0.8 + 0.4 * _noise(point.ean, start.timestamp())
    if point.energy is Energy.GAS:
        heating = (0.9 if 6 <= hour < 22 else 0.3) * max(0.1, 0.6 + 0.5 * season)
        return {"offtake": round(1000 * heating * jitter * minutes / 60)}
    load = (
        0.05
        + 0.12 * math.exp(-((hour - 7.5) ** 2) / 1.5)
        + 0.22 * math.exp(-((hour - 19) ** 2) / 4)
    )
    load *= (1 + 0.3 * season) * jitter * minutes / 15
    if point.direction is not Direction.BOTH:
        return {"offtake": round(1000 * load)}
    daylight = max(0.0, math.cos(math.pi * (hour - 13.5) / (9 - 3 * season)))
    sun = 0.6 * daylight**2 * (1 - 0.5 * season) * (0.5 + _noise(point.ean, local.date()))
    sun *= minutes / 15
    return {
        "offtake": round(1000 * max(0.0, load - sun)),
        "injection": round(1000 * max(0.0, sun - load)),
    }


def _state(end: datetime, now: datetime) -> tuple[Quality, datetime] | None:
    """The quality of a slot's value as stored by `now`, and when that version was stored."""
    if now >= end + VALIDATED_AFTER:
        return Quality.VALIDATED, end + VALIDATED_AFTER
    if now >= end + ESTIMATED_AFTER:
        return Quality.ESTIMATED, end + ESTIMATED_AFTER
    return None


class GeneratedReadings:
    """The sandbox's readings, as the readings store would hold them at `now`: the same day and
    month series (domain/readings.py), each with the time it was last written, so that the
    machine API serves them by read time and insert time as it serves stored ones."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._days: dict[tuple[str, date], dict[str, DaySeries]] = {}

    def _day(self, ean: str, day: date) -> dict[str, DaySeries]:
        """Each channel's series of the (gas) day, as stored by now; none before any is."""
        key = (ean, day)
        if key not in self._days:
            self._days[key] = self._generate(access_point(ean), day)
        return self._days[key]

    def _generate(self, point: AccessPoint, day: date) -> dict[str, DaySeries]:
        minutes, hour = point.energy.slot_minutes, point.day_hour
        count = slot_count(day, minutes, hour)
        step = timedelta(minutes=minutes)
        base = day_start_utc(day, hour)
        series = {
            channel.value: DaySeries(
                day, minutes, array("i", bytes(4 * count)), bytearray(count), day_hour=hour
            )
            for channel in point.channels
        }
        written = None
        for index in range(count):
            slot = base + step * index
            state = _state(slot + step, self.now)
            if state is None:
                break  # neither this slot nor any later one is stored yet
            if _missing(point.ean, slot):
                continue
            quality, inserted = state
            written = max(written or inserted, inserted)
            for channel, value in _values(point, slot, minutes).items():
                series[channel].values[index] = value
                series[channel].qualities[index] = quality
        if written is None:
            return {}
        return {channel: replace(days, updated_at=written) for channel, days in series.items()}

    def days_between(
        self, ean: str, channel: str, first: date, last: date, day_hour: int = 0
    ) -> dict[date, DaySeries]:
        """The stored days of [first, last] (inclusive)."""
        found = {}
        day = first
        while day <= last and day <= brussels_date(self.now):
            series = self._day(ean, day).get(channel)
            if series is not None:
                found[day] = series
            day += timedelta(days=1)
        return found

    def months_between(
        self, ean: str, channel: str, first: date, last: date
    ) -> dict[date, MonthSeries]:
        """The stored months from the month of `first` to that of `last` (inclusive)."""
        found = {}
        month = month_of(first)
        while month <= last:
            series = self._month(ean, channel, month)
            if series is not None:
                found[month] = series
            month = month_of(month + timedelta(days=31))
        return found

    def _month(self, ean: str, channel: str, month: date) -> MonthSeries | None:
        series = MonthSeries.empty(month)
        series.gas_factor = GAS_FACTOR
        for day in (month + timedelta(days=n) for n in range(days_in_month(month))):
            days = self._day(ean, day).get(channel) if day <= brussels_date(self.now) else None
            if days is not None:
                series.set_derived(days)
                assert days.updated_at is not None
                series.updated_at = max(series.updated_at or days.updated_at, days.updated_at)
        return series if series.updated_at is not None else None

    def changed_days(
        self, ean: str, channel: str, since: datetime, until: datetime, day_hour: int = 0
    ) -> list[DaySeries]:
        """The days last written in [since, until]: a day is last written when its last value is
        validated, so only days that ended up to VALIDATED_AFTER earlier can be."""
        first = brussels_date(since - VALIDATED_AFTER - timedelta(days=1), day_hour)
        last = brussels_date(min(until, self.now), day_hour)
        days = self.days_between(ean, channel, first, last)
        return [s for s in days.values() if s.updated_at and since <= s.updated_at <= until]

    def changed_months(
        self, ean: str, channel: str, since: datetime, until: datetime
    ) -> list[MonthSeries]:
        """The months of the days last written in [since, until]."""
        months = {month_of(day.day) for day in self.changed_days(ean, channel, since, until)}
        return [
            series
            for month in sorted(months)
            if (series := self._month(ean, channel, month)) is not None
        ]


@dataclass(frozen=True)
class MockAsk:
    """A mock mandate as its EDV asks for it (`POST /api/mandate/mock`, or the portal)."""

    reference_number: str
    ean: str
    fine: bool  # quarter-hours (hours for gas), or days
    status: MandateStatus = MandateStatus.ACTIVE
    period_from: date | None = None  # default: three years back
    period_to: date | None = None  # default: three years ahead
    expires_at: datetime | None = None
    renewal: RenewalState | None = None


def mock_mandate(mandate_id: str, edv: str, asked: MockAsk, now: datetime) -> Mandate:
    """A mock mandate as a live mandate in that state would be, so that every filter, status and
    renewal status reads it as it reads live ones: `ToBeRenewed` is an approved mandate in its
    last 90 days (renewal requested, for `RenewalRequested`), `Expired` one whose validity has
    passed. Its EAN's meter follows from the EAN (`meter_of`)."""
    energy, _ = meter_of(asked.ean)
    today = brussels_date(now)
    start = asked.period_from or add_years(today, -DEFAULT_PERIOD_YEARS)
    end = asked.period_to or add_years(today, DEFAULT_PERIOD_YEARS)
    if end <= start:
        _invalid("dataPeriodTo", "Property 'dataPeriodTo' must come after 'dataPeriodFrom'.")
    status, renewal = asked.status, asked.renewal
    until = _valid_until(status, asked.expires_at, renewal, now)
    if status is MandateStatus.ENDED and renewal is RenewalState.EXPIRED:
        status = MandateStatus.EXPIRED  # as the expiry job leaves a lapsed mandate
    end_reason, ended_at = {
        MandateStatus.ENDED: (EndReason.REVOKED_BY_CUSTOMER, now),
        MandateStatus.EXPIRED: (EndReason.EXPIRED, until),
        MandateStatus.REJECTED: (EndReason.REFUSED_BY_GRID_USER, now),
    }.get(status, (None, None))
    return Mandate(
        id=mandate_id,
        ean=asked.ean,
        edv=edv,
        granularity=energy.fine_granularity if asked.fine else Granularity.DAY,
        period_start=start,
        period_end=end,
        granted_at=now,
        valid_until=until,
        status=status,
        granted_by=SANDBOX_CUSTOMER.id,
        grid_user=SANDBOX_CUSTOMER,
        energy=energy,
        end_reason=end_reason,
        ended_at=ended_at,
        reference_number=asked.reference_number,
        updated_at=now,
        renewal_requested_at=now if renewal is RenewalState.REQUESTED else None,
    )


def _valid_until(
    status: MandateStatus, expires_at: datetime | None, renewal: RenewalState | None, now: datetime
) -> datetime:
    if renewal is None:
        return expires_at or valid_until(now)
    if renewal is RenewalState.EXPIRED:
        if status not in (MandateStatus.ACTIVE, MandateStatus.ENDED):
            _invalid("renewalStatus", "Only an Approved or Finished mandate can have expired.")
        if expires_at is not None and expires_at > now:
            _invalid("mandateExpirationDate", "An Expired mock's mandateExpirationDate has passed.")
        return expires_at or now
    if status is not MandateStatus.ACTIVE:
        _invalid("renewalStatus", "Only an Approved mandate is due for renewal.")
    until = expires_at or now + RENEWAL_WINDOW / 2
    if not now < until <= now + RENEWAL_WINDOW:
        _invalid(
            "mandateExpirationDate",
            "A mandate is due for renewal in its last 90 days: mandateExpirationDate must lie "
            "within them.",
        )
    return until


def _invalid(name: str, message: str) -> None:
    raise DomainError("validation_error", message, errors=[FieldError(name, message)])
