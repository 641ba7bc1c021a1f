"""A model of R5-R9, R12-R14, and the real app driven against it through both faces.

The oracle below is deliberately simple and written from docs/domain.md, not from the code: who is
grid user from when, which mandates exist and what became of them, which days hold data. It
works on sets of days where the code works on spans. Hypothesis' stateful testing drives the app
through a mandate's whole life: grants (day and fine, periods reaching into the past and the
future), replacements, requests by a co-occupant (with the meter's number, right or wrong) that the
grid user approves or refuses, EDV consent requests the customer declines (naming some EANs or
none), renewals, ends by the customer and by the grid user it was granted for (and attempts by a
later occupant or a stranger), an EDV's termination, market scenarios reported early, on time and
late, operator updates of access points, ingests and corrections, jobs, and a clock that moves
across both clock-change days and past the three years of validity.

After every step, against the oracle:
- every EDV reads every EAN through every door (portal volumes by day and at the fine
  resolution, peak power, the machine API by read time and insert time), and each answer is
  exactly the entitlement: no point outside it, none missing inside it;
- the feed carries the purge obligations, and each customer's access log only reads of their data;
- what people are told: the EDV's mandate in force on each EAN (never a request), its requests and
  whether it may read, its "meters of others" row, its purge duties (what it held and may no longer
  keep), each person's own list of mandates (never a previous occupant's), and the month's
  mandate-days the EDV is billed for (each pair and day once per granularity);
- the limits: five new mandates per pair and day, five wrong meter numbers per person, EAN and day.

`make test` runs a bounded, derandomised budget; `make fuzz` a longer one with fresh randomness
(MODEL_EXAMPLES, MODEL_STEPS). A failure prints the shortest sequence of steps found.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalice.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from moto import mock_aws

from tests.support.clock import app_clock
from tests.support.http import Answer, Http
from tests.support.machine import MachineClient, secret_client
from tests.support.world import World, ean

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2027, 3, 26, 10, 0, tzinfo=BRUSSELS)  # two days before the spring clock change
A, B = "0123456749", "0987654394"  # A also on the machine API
ELEC, GAS = ean(101), ean(102)  # a digital electricity meter, a digital gas meter
CHANNELS = {ELEC: ("offtake", "injection"), GAS: ("offtake",)}
FINE = {ELEC: "quarter_hour", GAS: "hour"}
SLOT_MINUTES = {ELEC: 15, GAS: 60}
DAY_HOUR = {ELEC: 0, GAS: 6}  # gas days run from 06:00 to 06:00
PEOPLE = ("karel", "anna", "piet")
# Days that hold data when ingested: three around each clock change (92 and 100 quarter-hours).
SPRING = (date(2027, 3, 27), date(2027, 3, 28), date(2027, 3, 29))
AUTUMN = (date(2027, 10, 30), date(2027, 10, 31), date(2027, 11, 1))
CLUSTERS = (SPRING, AUTUMN)
DAYS = SPRING + AUTUMN
RANGE = (SPRING[0], AUTUMN[-1] + timedelta(days=1))
FIRST_SINCE = date(2020, 1, 1)
PERIOD_STARTS = (
    FIRST_SINCE,
    date(2027, 3, 1),
    date(2027, 3, 28),
    date(2027, 3, 29),
    date(2027, 10, 31),
    date(2028, 1, 1),
)
SPANS = (1, 2, 30, 220, 3000)
ADVANCES = (1, 2, 6, 40, 220, 1096)  # days; 1096 from a grant is exactly three years
METER_NUMBER = "1SAG1100000292"
PAIR_CHANGES_PER_DAY = 5  # domain/mandates.CHANGES_PER_PAIR_PER_DAY, as docs/domain.md says it
METER_NUMBER_TRIES = 5
GRID_USER_SCENARIOS = ("customer_switch", "combined_switch", "move_in")
LEAVING_SCENARIOS = ("move_out", "physical_disconnection")

EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "6"))
STEPS = int(os.environ.get("MODEL_STEPS", "9"))
FRESH = "MODEL_EXAMPLES" in os.environ


# The oracle --------------------------------------------------------------------------------


@dataclass
class ModelMandate:
    id: str
    edv: str
    ean: str
    grid_user: str  # whose consent it is: the grid user it was granted for
    fine: bool
    period_start: date
    period_end: date  # as granted: the oracle cuts windows itself, from the grid users
    granted_at: datetime
    granted_by: str = ""  # who granted or asked (a co-occupant asks for the grid user)
    kind: str = "grant"  # grant | request (asked of the grid user) | rejected (refused, declined)
    ended: bool = False
    stopped_at: datetime | None = None  # when it stopped giving access, once closed
    current_end: date | None = None  # the period's end after applied scenarios cut it

    def __post_init__(self) -> None:
        self.current_end = self.period_end
        self.granted_by = self.granted_by or self.grid_user

    @property
    def valid_until(self) -> datetime:
        """Three calendar years on, same Brussels wall-clock time; 29 February becomes 28."""
        local = self.granted_at.astimezone(BRUSSELS)
        day = 28 if (local.month, local.day) == (2, 29) else local.day
        return local.replace(year=local.year + 3, day=day)

    @property
    def granted(self) -> bool:
        """It gave access at some time: a request or a refusal never did."""
        return self.kind == "grant"

    def gives_access(self, now: datetime) -> bool:
        return self.granted and not self.ended and now < self.valid_until

    def seen_status(self, now: datetime) -> str:
        if self.kind == "request":
            return "requested"
        if self.kind == "rejected":
            return "rejected"
        if self.ended:
            return "expired" if self.stopped_at == self.valid_until else "ended"
        return "active" if now < self.valid_until else "expired"

    def held_days(self) -> dict[date, bool]:
        """What it lets the EDV keep: each day of its period (as scenarios cut it), and whether
        at the fine granularity."""
        assert self.current_end is not None
        count = (self.current_end - self.period_start).days
        return {self.period_start + timedelta(days=n): self.fine for n in range(max(0, count))}


@dataclass
class Scenario:
    ean: str
    effective: date
    new_grid_user: str | None
    reported_on: date
    applied: bool


@dataclass
class Reading:
    status: str  # validated | estimated


@dataclass
class Oracle:
    now: datetime = START
    terminated: set[str] = field(default_factory=set)
    mandates: list[ModelMandate] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    readings: dict[tuple[str, str, date], Reading] = field(default_factory=dict)
    purges: set[tuple[str, str]] = field(default_factory=set)  # (mandate id, purge_from)
    # (mandate id, first day, end day, kept granularity or None): what EDVs must delete
    duties: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    changes: dict[tuple[str, str, date], int] = field(default_factory=dict)  # mandates made
    misses: dict[tuple[str, str, date], int] = field(default_factory=dict)  # wrong meter numbers

    @property
    def today(self) -> date:
        return self.now.astimezone(BRUSSELS).date()

    def timeline(self, ean_code: str, *, registry: bool) -> list[tuple[date, str | None]]:
        """Who is grid user from when. The registry knows applied scenarios only; the truth
        (what reads obey) knows every scenario whose effective date has come."""
        changes = [
            (s.effective, s.new_grid_user)
            for s in self.scenarios
            if s.ean == ean_code and (s.applied if registry else s.effective <= self.today)
        ]
        return [(FIRST_SINCE, "karel"), *sorted(changes)]

    def grid_user(self, ean_code: str, day: date, *, registry: bool) -> tuple[str | None, date]:
        current: tuple[str | None, date] = (None, FIRST_SINCE)
        for since, who in self.timeline(ean_code, registry=registry):
            if since <= day:
                current = (who, since)
        return current

    def active(self, edv: str, ean_code: str) -> ModelMandate | None:
        """The pair's mandate that has not been closed (it may be past its validity)."""
        for mandate in self.of_pair(edv, ean_code):
            if mandate.granted and not mandate.ended:
                return mandate
        return None

    def of_pair(self, edv: str, ean_code: str) -> list[ModelMandate]:
        """Newest first, by when each was granted (or asked)."""
        mine = [m for m in self.mandates if m.edv == edv and m.ean == ean_code]
        return sorted(mine, key=lambda m: m.granted_at, reverse=True)

    def in_force(self, edv: str, ean_code: str) -> ModelMandate | None:
        """What the EDV is told holds: the active one, else the latest that was granted."""
        granted = [m for m in self.of_pair(edv, ean_code) if m.granted]
        return self.active(edv, ean_code) or (granted[0] if granted else None)

    def owe(self, before: ModelMandate, after: ModelMandate | None, until: date) -> None:
        """The days `before` held that `after` does not, or held finer (then only the fine
        values go), up to `until`: grouped into runs of consecutive days."""
        kept = after.held_days() if after else {}
        lost = {
            day: ("day" if day in kept else None)
            for day, fine in before.held_days().items()
            if day < until and (day not in kept or (fine and not kept[day]))
        }
        run: list[date] = []
        for day in sorted(lost):
            if run and (day != run[-1] + timedelta(days=1) or lost[day] != lost[run[-1]]):
                self._duty(before.id, run, lost[run[-1]])
                run = []
            run.append(day)
        if run:
            self._duty(before.id, run, lost[run[-1]])

    def _duty(self, mandate_id: str, days: list[date], keep: str | None) -> None:
        end = days[-1] + timedelta(days=1)
        self.duties.append((mandate_id, days[0].isoformat(), end.isoformat(), keep))

    def close(self, mandate: ModelMandate, after: ModelMandate | None = None) -> None:
        """It stops giving access now, or at its validity's end if that passed already; what it
        held and `after` does not is owed, up to the day it stopped."""
        stopped = min(self.now, mandate.valid_until)
        mandate.ended, mandate.stopped_at = True, stopped
        self.owe(mandate, after, stopped.astimezone(BRUSSELS).date() + timedelta(days=1))

    def billed_days(self, edv: str, first: date, end: date) -> dict[str, int]:
        """Mandate-days on [first, end): each pair's days of access, once per granularity."""
        held: dict[tuple[str, str], set[date]] = {}
        for mandate in self.mandates:
            if mandate.edv != edv or not mandate.granted:
                continue
            granularity = FINE[mandate.ean] if mandate.fine else "day"
            start = mandate.granted_at.astimezone(BRUSSELS).date()
            stop = (mandate.stopped_at or mandate.valid_until).astimezone(BRUSSELS).date()
            days = held.setdefault((mandate.ean, granularity), set())
            days.update(start + timedelta(days=n) for n in range(max(1, (stop - start).days)))
        counted = {"day": 0, "hour": 0, "quarter_hour": 0}
        for (_, granularity), days in held.items():
            counted[granularity] += sum(1 for day in days if first <= day < end)
        return counted

    def limited(self, edv: str, ean_code: str) -> bool:
        return self.changes.get((edv, ean_code, self.today), 0) >= PAIR_CHANGES_PER_DAY

    def count_change(self, edv: str, ean_code: str) -> None:
        key = (edv, ean_code, self.today)
        self.changes[key] = self.changes.get(key, 0) + 1

    def gives_nothing(self, mandate: ModelMandate) -> bool:
        """Cut to nothing for good: whatever the date, no day of it will be readable."""
        return self.window(mandate, capped=False)[1] <= mandate.period_start

    def window(self, mandate: ModelMandate, capped: bool = True) -> tuple[date, date]:
        """The period, within its grid user's time as grid user, never past today."""
        start = mandate.period_start
        end = (
            min(mandate.period_end, self.today + timedelta(days=1))
            if capped
            else mandate.period_end
        )
        owner, _ = self.grid_user(mandate.ean, start, registry=False)
        if owner != mandate.grid_user:
            return start, start
        for since, who in self.timeline(mandate.ean, registry=False):
            if since > start and who != mandate.grid_user:
                end = min(end, since)
        return start, max(start, end)

    def entitlement(self, edv: str, ean_code: str) -> tuple[str, ModelMandate | None]:
        """'ok' with the mandate, or the refusal code."""
        if edv in self.terminated:
            return "edv_not_active", None
        mandate = self.active(edv, ean_code)
        if mandate is None or not mandate.gives_access(self.now):
            return "no_mandate", None
        return "ok", mandate

    def data_days(self, ean_code: str, channel: str, first: date, end: date) -> dict[date, str]:
        return {
            day: reading.status
            for (code, chan, day), reading in self.readings.items()
            if code == ean_code and chan == channel and first <= day < end
        }


def day_start(day: date, code: str) -> datetime:
    """When a day begins (R14): at midnight, or at 06:00 for a gas day."""
    return datetime.combine(day, time(DAY_HOUR[code]), BRUSSELS).astimezone(UTC)


def slots(day: date, code: str) -> int:
    """92, 96 or 100 quarter-hours; 23, 24 or 25 hours (R14). Subtract in UTC: Python ignores the
    offset when both ends share a time zone."""
    length = day_start(day + timedelta(days=1), code) - day_start(day, code)
    return int(length.total_seconds() // 60 // SLOT_MINUTES[code])


def slot_starts(day: date, code: str) -> list[str]:
    start, minutes = day_start(day, code), SLOT_MINUTES[code]
    return [
        (start + timedelta(minutes=minutes * index)).astimezone(BRUSSELS).isoformat()
        for index in range(slots(day, code))
    ]


def day_of(start: str, code: str) -> date:
    """The day a slot belongs to: a gas hour before 06:00 is the previous gas day's."""
    local = datetime.fromisoformat(start).astimezone(BRUSSELS)
    return (local - timedelta(hours=DAY_HOUR[code])).date()


def utc_start(day: date, code: str = "") -> str:
    """A day's start as the machine API is asked it; midnight unless the EAN counts gas days."""
    instant = day_start(day, code) if code else day_start(day, ELEC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


# The machine -------------------------------------------------------------------------------


class EntitlementModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.stack = ExitStack()
        self.stack.enter_context(mock_aws())
        self.clock = self.stack.enter_context(app_clock(START))
        from chalicelib.local import bootstrap

        bootstrap()
        from app import app

        self.http = Http(Client(app, stage_name="local"))
        self.model = Oracle()
        self.tokens: dict[str, str] = {}
        world = World(self.http)
        edv_a = world.active(A, "Zonnig")
        world.active(B, "Warmte")
        self.client_a: MachineClient = secret_client(self.http, edv_a)
        overview = self.http.get(f"/v1/organisations/{A}/edv-application", token=edv_a.member)
        self.contract_a = str(overview.json["contract_number"])
        for code, energy in ((ELEC, "electricity"), (GAS, "gas")):
            answer = self.http.put(
                f"/v1/ops/access-points/{code}",
                token=self.token("ops-olivia", ops=True),
                json_body=self.registration(code, energy, "karel", FIRST_SINCE),
            )
            assert answer.status == 201, answer.body

    def teardown(self) -> None:
        self.stack.close()

    # Helpers -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Every change happens a second after the one before it, as in life: two changes of
        one pair never share an instant, so "the latest" is never a tie."""
        self.model.now += timedelta(seconds=1)
        self.clock.instant = self.model.now

    def token(self, sub: str, ops: bool = False) -> str:
        """A person's token, minted within the model's hour (tokens last hours; the clock
        jumps)."""
        key = f"{sub}@{self.clock.instant.isoformat()[:13]}"
        if key not in self.tokens:
            self.tokens[key] = self.http.token(sub, roles=["ops"] if ops else [])
        return self.tokens[key]

    @property
    def operator(self) -> str:
        return self.token("ops-olivia", ops=True)

    @staticmethod
    def registration(code: str, energy: str, grid_user: str, since: date) -> dict[str, Any]:
        return {
            "energy": energy,
            "meter_type": "digital",
            "direction": "both" if energy == "electricity" else "offtake",
            "address": "Kerkstraat 1, 9000 Gent",
            "meter_number": "1SAG1100000292",
            "grid_user": {"sub": grid_user},
            "grid_user_since": since.isoformat(),
        }

    def member(self, edv: str) -> str:
        return self.token(f"member-{edv}")

    def apply_scenario(self, scenario: Scenario) -> None:
        """The oracle's hand-over: an applied scenario cuts the outgoing grid user's periods,
        and a late one (reported on or after its date) makes the EDV purge from that date."""
        scenario.applied = True
        for mandate in self.model.mandates:
            assert mandate.current_end is not None
            if (
                mandate.ean == scenario.ean
                and mandate.gives_access(self.model.now)
                and mandate.grid_user != scenario.new_grid_user
                and mandate.current_end > scenario.effective
            ):
                before = replace(mandate)
                mandate.current_end = max(scenario.effective, mandate.period_start)
                if scenario.effective <= scenario.reported_on:
                    self.model.purges.add((mandate.id, scenario.effective.isoformat()))
                # What it could have fetched from then on before the report: up to that day.
                self.model.owe(before, mandate, scenario.reported_on + timedelta(days=1))

    # Steps ---------------------------------------------------------------------------------

    @initialize(fine_a=st.booleans(), fine_b=st.booleans())
    def customers_share_and_meters_read(self, fine_a: bool, fine_b: bool) -> None:
        """Karel shares both meters with both EDVs, and the spring days hold data (ahead of
        today at first: nothing of them may be served until they have come)."""
        for edv, fine in ((A, fine_a), (B, fine_b)):
            for code in (ELEC, GAS):
                self.grant("karel", edv, code, fine, date(2027, 3, 1), 3000)
        for code in (ELEC, GAS):
            for day in SPRING:
                self.ingest(code, False, day, "estimated", 0.1)

    @rule(
        person=st.sampled_from(PEOPLE),
        edv=st.sampled_from((A, B)),
        code=st.sampled_from((ELEC, GAS)),
        fine=st.booleans(),
        start=st.sampled_from(PERIOD_STARTS),
        span=st.sampled_from(SPANS),
    )
    def grant(self, person: str, edv: str, code: str, fine: bool, start: date, span: int) -> None:
        self.tick()
        end = start + timedelta(days=span)
        answer = self.ask_for_mandate(person, edv, code, fine, start, end)
        owner, since = self.model.grid_user(code, self.model.today, registry=True)
        if edv in self.model.terminated:
            assert answer.code == "edv_not_active", answer.body
        elif owner != person:
            assert answer.code == "not_grid_user", answer.body
        elif start < since:
            assert answer.code == "period_before_grid_user", answer.body
        elif self.model.limited(edv, code):
            assert answer.code == "too_many_changes", answer.body
        else:
            assert answer.status == 201, answer.body
            made = ModelMandate(
                answer.json["id"], edv, code, person, fine, start, end, self.model.now
            )
            self.take_pair(made)

    def ask_for_mandate(
        self, person: str, edv: str, code: str, fine: bool, start: date, end: date, **extra: str
    ) -> Answer:
        """POST /v1/me/mandates: a grant, or with `meter_number` a co-occupant's request."""
        body = {
            "edv": edv,
            "ean": code,
            "granularity": FINE[code] if fine else "day",
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            **extra,
        }
        return self.http.post("/v1/me/mandates", token=self.token(person), json_body=body)

    def take_pair(self, made: ModelMandate, renews: ModelMandate | None = None) -> None:
        """A mandate becomes the pair's active one: the one before it stops (replaced, renewed,
        or expired if its validity was over), owing what the new one does not keep."""
        pair = self.model.of_pair(made.edv, made.ean)
        previous = next((m for m in pair if m.granted and not m.ended and m is not made), None)
        if previous is not None:
            assert renews in (None, previous)
            self.model.close(previous, after=made)
        self.model.count_change(made.edv, made.ean)
        if made not in self.model.mandates:
            self.model.mandates.append(made)

    @rule(
        person=st.sampled_from(PEOPLE),
        edv=st.sampled_from((A, B)),
        code=st.sampled_from((ELEC, GAS)),
        fine=st.booleans(),
        start=st.sampled_from(PERIOD_STARTS),
        right_number=st.sampled_from((True, True, False)),
    )
    def co_occupant_asks(
        self, person: str, edv: str, code: str, fine: bool, start: date, right_number: bool
    ) -> None:
        """Someone at the address who is not the grid user asks with the meter's number: the
        consent is requested of the grid user. A wrong number is a few tries a day."""
        self.tick()
        owner, since = self.model.grid_user(code, self.model.today, registry=True)
        if person == owner:
            return  # the grid user grants instead
        end = start + timedelta(days=400)
        number = METER_NUMBER if right_number else "1SAG0000000000"
        answer = self.ask_for_mandate(person, edv, code, fine, start, end, meter_number=number)
        tries = (person, code, self.model.today)
        if edv in self.model.terminated:
            assert answer.code == "edv_not_active", answer.body
        elif owner is None:
            assert answer.code == "not_grid_user", answer.body  # nobody there to ask
        elif self.model.misses.get(tries, 0) >= METER_NUMBER_TRIES:
            assert answer.code == "too_many_attempts", answer.body
        elif not right_number:
            assert answer.code == "not_grid_user", answer.body
            self.model.misses[tries] = self.model.misses.get(tries, 0) + 1
        elif start < since:
            assert answer.code == "period_before_grid_user", answer.body
            assert "grid_user_since" not in answer.json  # never the grid user's date
        elif self.model.limited(edv, code):
            assert answer.code == "too_many_changes", answer.body
        else:
            assert (answer.status, answer.json["status"]) == (201, "requested"), answer.body
            self.model.count_change(edv, code)
            self.model.mandates.append(
                ModelMandate(
                    answer.json["id"],
                    edv,
                    code,
                    owner,
                    fine,
                    start,
                    end,
                    self.model.now,
                    granted_by=person,
                    kind="request",
                )
            )

    @rule(which=st.integers(0, 40), approve=st.booleans())
    def grid_user_decides(self, which: int, approve: bool) -> None:
        """The grid user a request was asked of approves (granted now, valid three years, it
        replaces the pair's active mandate) or refuses it."""
        self.tick()
        if not self.model.mandates:
            return
        mandate = self.model.mandates[which % len(self.model.mandates)]
        decision = "approve" if approve else "refuse"
        answer = self.http.post(
            f"/v1/me/mandates/{mandate.id}/{decision}", token=self.token(mandate.grid_user)
        )
        owner, since = self.model.grid_user(mandate.ean, self.model.today, registry=True)
        if owner != mandate.grid_user:
            assert answer.code == "not_found", answer.body  # asked of someone no longer there
        elif approve and mandate.edv in self.model.terminated:
            assert answer.code == "edv_not_active", answer.body
        elif mandate.kind != "request":
            assert answer.code == "conflict", answer.body
        elif approve and mandate.period_start < since:
            assert answer.code == "period_before_grid_user", answer.body
        elif approve and self.model.limited(mandate.edv, mandate.ean):
            assert answer.code == "too_many_changes", answer.body
        elif approve:
            assert (answer.status, answer.json["status"]) == (200, "active"), answer.body
            mandate.kind, mandate.granted_at = "grant", self.model.now
            self.take_pair(mandate)
        else:
            assert (answer.status, answer.json["status"]) == (200, "rejected"), answer.body
            mandate.kind = "rejected"

    @rule(person=st.sampled_from(PEOPLE), named=st.sampled_from(((), (ELEC,), (ELEC, GAS))))
    def customer_declines_a_consent_request(self, person: str, named: tuple[str, ...]) -> None:
        """EDV A asks through its software; the customer declines, naming only the EANs they
        tick (each then a rejected mandate under A's reference), or none at all."""
        self.tick()
        session = self.client_a.post(
            "/shortUrlIdentifier",
            {
                "dataAccessContractNumber": self.contract_a,
                "referenceNumber": "model",
                "flow": "B2C",
                "dataServices": [{"dataServiceType": "VH_kwartier_uur"}],
            },
            token=self.client_token(),
        )
        assert session.status == 200, session.body
        identifier = session.json["data"]["shortUrlIdentifier"]
        answer = self.http.post(
            f"/v1/consent-sessions/{identifier}/decline",
            token=self.token(person),
            json_body={"eans": list(named)},
        )
        owners = {
            code: self.model.grid_user(code, self.model.today, registry=True)[0] for code in named
        }
        if any(owner != person for owner in owners.values()):
            assert answer.code == "not_grid_user", answer.body
            return
        assert answer.status == 201, answer.body
        assert [m["ean"] for m in answer.json["mandates"]] == list(named)
        shared = {
            m.id for m in self.model.mandates if m.edv == A and m.gives_access(self.model.now)
        }
        assert {m["id"] for m in answer.json["still_shared"]} == shared & self.seen_by(person)
        for mandate, code in zip(answer.json["mandates"], named, strict=True):
            self.model.mandates.append(
                ModelMandate(
                    mandate["id"],
                    A,
                    code,
                    person,
                    True,
                    date.fromisoformat(mandate["period_start"]),
                    date.fromisoformat(mandate["period_end"]),
                    self.model.now,
                    kind="rejected",
                )
            )

    @rule(which=st.integers(0, 40))
    def grid_user_renews(self, which: int) -> None:
        """The grid user a mandate was granted for renews it, asked or not: the same choices,
        three years from now; the old one ends as renewed and nothing is owed."""
        self.tick()
        if not self.model.mandates:
            return
        mandate = self.model.mandates[which % len(self.model.mandates)]
        answer = self.http.post(
            f"/v1/me/mandates/{mandate.id}/renew", token=self.token(mandate.grid_user)
        )
        owner, since = self.model.grid_user(mandate.ean, self.model.today, registry=True)
        if mandate.edv in self.model.terminated:
            assert answer.code == "edv_not_active", answer.body
        elif owner != mandate.grid_user:
            assert answer.code == "not_grid_user", answer.body
        elif not mandate.gives_access(self.model.now):
            assert answer.code == "conflict", answer.body
        elif mandate.period_start < since:
            assert answer.code == "period_before_grid_user", answer.body
        elif self.model.limited(mandate.edv, mandate.ean):
            assert answer.code == "too_many_changes", answer.body
        else:
            assert answer.status == 201, answer.body
            assert mandate.current_end is not None
            renewed = ModelMandate(
                answer.json["id"],
                mandate.edv,
                mandate.ean,
                mandate.grid_user,
                mandate.fine,
                mandate.period_start,
                mandate.current_end,
                self.model.now,
                granted_by=mandate.grid_user,
            )
            self.take_pair(renewed, renews=mandate)

    @rule(
        by=st.sampled_from(("granted by", "grid user", "newcomer", "stranger")),
        which=st.integers(0, 40),
    )
    def end(self, by: str, which: int) -> None:
        self.tick()
        if not self.model.mandates:
            return
        mandate = self.model.mandates[which % len(self.model.mandates)]
        owner, _ = self.model.grid_user(mandate.ean, self.model.today, registry=True)
        concerned = (mandate.granted_by, mandate.grid_user)
        person = {
            "granted by": mandate.granted_by,
            "grid user": mandate.grid_user,
            "newcomer": owner or mandate.grid_user,
            "stranger": next((p for p in PEOPLE if p not in (*concerned, owner)), ""),
        }[by]
        if not person:
            return  # everyone here is concerned
        answer = self.http.post(f"/v1/me/mandates/{mandate.id}/end", token=self.token(person))
        if person not in concerned:
            # A later occupant or a stranger: to them it does not exist.
            assert (answer.status, answer.code) == (404, "not_found"), answer.body
        elif mandate.gives_access(self.model.now):
            assert answer.status == 200, answer.body
            reason = (
                "revoked_by_customer" if person == mandate.granted_by else "revoked_by_grid_user"
            )
            assert answer.json["end_reason"] == reason
            self.model.close(mandate)
        else:
            assert (answer.status, answer.code) == (409, "conflict"), answer.body

    @precondition(lambda self: B not in self.model.terminated)
    @rule()
    def terminate_edv(self) -> None:
        self.tick()
        answer = self.http.post(
            f"/v1/organisations/{B}/edv-application/terminate", token=self.token(f"admin-{B}")
        )
        assert answer.status == 200, answer.body
        self.model.terminated.add(B)
        for mandate in self.model.mandates:
            if mandate.edv == B and mandate.granted and not mandate.ended:
                self.model.close(mandate)

    @rule(
        code=st.sampled_from((ELEC, GAS)),
        kind=st.sampled_from(("arrives", "leaves", "supplier")),
        newcomer=st.sampled_from(PEOPLE),
        offset=st.sampled_from((-20, -3, 0, 1, 2, 10)),
        through_registry=st.booleans(),
    )
    def market_scenario(
        self, code: str, kind: str, newcomer: str, offset: int, through_registry: bool
    ) -> None:
        self.tick()
        effective = self.model.today + timedelta(days=offset)
        latest = max([FIRST_SINCE] + [s.effective for s in self.model.scenarios if s.ean == code])
        current, _ = self.model.grid_user(code, effective, registry=False)
        if effective <= latest or (kind == "arrives" and newcomer == current):
            return  # the market reports one change at a time, in order, to someone new
        if kind == "supplier":
            answer = self.http.post(
                "/v1/ops/market-events",
                token=self.operator,
                json_body={
                    "ean": code,
                    "scenario": "supplier_switch",
                    "effective_date": str(effective),
                },
            )
            assert answer.status in (200, 201), answer.body  # the same report twice is a replay
            return
        new = newcomer if kind == "arrives" else None
        scenario_name = GRID_USER_SCENARIOS[offset % 3] if new else LEAVING_SCENARIOS[offset % 2]
        due = effective <= self.model.today
        if through_registry and new and due:
            # The operator registers the newcomer, naming the scenario: carried out as reported.
            energy = "electricity" if code == ELEC else "gas"
            body = {**self.registration(code, energy, new, effective), "scenario": scenario_name}
            answer = self.http.put(
                f"/v1/ops/access-points/{code}", token=self.operator, json_body=body
            )
            assert answer.status == 200, answer.body
        else:
            body = {"ean": code, "scenario": scenario_name, "effective_date": str(effective)}
            if new:
                body["new_grid_user"] = {"sub": new}
            answer = self.http.post("/v1/ops/market-events", token=self.operator, json_body=body)
            assert answer.status == 201, answer.body
        scenario = Scenario(code, effective, new, self.model.today, applied=False)
        self.model.scenarios.append(scenario)
        if due:
            self.apply_scenario(scenario)

    @rule(code=st.sampled_from((ELEC, GAS)), newcomer=st.sampled_from(PEOPLE))
    def operator_updates_access_point(self, code: str, newcomer: str) -> None:
        """Technical data may change; a grid user only through a scenario (refused here)."""
        self.tick()
        owner, since = self.model.grid_user(code, self.model.today, registry=True)
        energy = "electricity" if code == ELEC else "gas"
        body = self.registration(code, energy, owner or "karel", since)
        body["address"] = "Veldstraat 2, 9000 Gent"
        answer = self.http.put(f"/v1/ops/access-points/{code}", token=self.operator, json_body=body)
        assert answer.status == (200 if owner else 409), answer.body
        if newcomer != owner:
            body = self.registration(code, energy, newcomer, self.model.today)
            refused = self.http.put(
                f"/v1/ops/access-points/{code}", token=self.operator, json_body=body
            )
            assert refused.code == "grid_user_change_needs_scenario", refused.body

    @rule(job=st.sampled_from(("market-scenarios", "mandate-expiry")))
    def run_job(self, job: str) -> None:
        self.tick()
        answer = self.http.post(
            f"/v1/ops/jobs/{job}/run",
            token=self.operator,
            json_body={"as_of": self.model.now.isoformat()},
        )
        assert answer.status == 200, answer.body
        if job == "market-scenarios":
            for scenario in self.model.scenarios:
                if not scenario.applied and scenario.effective <= self.model.today:
                    self.apply_scenario(scenario)
        else:
            for mandate in self.model.mandates:
                if mandate.granted and not mandate.ended and mandate.valid_until <= self.model.now:
                    self.model.close(mandate)

    @rule(days=st.sampled_from(ADVANCES))
    def advance_clock(self, days: int) -> None:
        self.model.now += timedelta(days=days)
        self.clock.instant = self.model.now

    @rule(
        code=st.sampled_from((ELEC, GAS)),
        injection=st.booleans(),
        day=st.sampled_from(DAYS),
        status=st.sampled_from(("validated", "estimated")),
        value=st.sampled_from((0.1, 0.25)),
    )
    def ingest(self, code: str, injection: bool, day: date, status: str, value: float) -> None:
        self.tick()
        # Days ahead too: whatever was stored, nothing past today may be served.
        channel = "injection" if injection and code == ELEC else "offtake"
        batch = {
            "ean": code,
            "channel": channel,
            "resolution": FINE[code],
            "unit": "kWh" if code == ELEC else "m3",
            "readings": [
                {"start": start, "value": value, "status": status}
                for start in slot_starts(day, code)
            ],
        }
        answer = self.http.post("/v1/ops/readings", token=self.operator, json_body=batch)
        assert answer.status in (200, 201), answer.body
        key = (code, channel, day)
        known = self.model.readings.get(key)
        if known is None or not (known.status == "validated" and status == "estimated"):
            self.model.readings[key] = Reading(status)  # an estimate never beats a validation

    # What every door must answer -----------------------------------------------------------

    @invariant()
    def every_door_serves_exactly_the_entitlement(self) -> None:
        for edv in (A, B):
            for code in (ELEC, GAS):
                verdict, mandate = self.model.entitlement(edv, code)
                self.check_portal(edv, code, verdict, mandate)
                if edv == A:
                    self.check_machine(code, verdict, mandate)

    def check_portal(self, edv: str, code: str, verdict: str, mandate: ModelMandate | None) -> None:
        base = f"/v1/organisations/{edv}/access-points/{code}"
        days = self.http.get(
            f"{base}/volumes?from={RANGE[0]}&to={RANGE[1]}&resolution=day", token=self.member(edv)
        )
        if mandate is None:
            assert days.code == verdict, (days.status, days.body)
            return
        first, end = self.model.window(mandate)
        served = (max(RANGE[0], first), min(RANGE[1], end))
        if served[1] <= served[0]:
            assert days.code == "outside_mandate_period", days.body
        else:
            assert days.status == 200, days.body
            assert (days.json["served_from"], days.json["served_to"]) == tuple(map(str, served))
            for channel in CHANNELS[code]:
                seen = {
                    date.fromisoformat(p["start"][:10]): p["status"]
                    for p in days.json["channels"][channel]
                    if p["status"] != "missing"
                }
                assert seen == self.model.data_days(code, channel, *served), (channel, seen)
            assert set(days.json["channels"]) == set(CHANNELS[code])
        for cluster in CLUSTERS:
            span = (cluster[0], cluster[-1] + timedelta(days=1))
            fine = self.http.get(
                f"{base}/volumes?from={span[0]}&to={span[1]}&resolution={FINE[code]}",
                token=self.member(edv),
            )
            window = (max(span[0], first), min(span[1], end))
            if not mandate.fine:
                assert fine.code == "granularity_not_consented", fine.body
            elif window[1] <= window[0]:
                assert fine.code == "outside_mandate_period", fine.body
            else:
                assert fine.status == 200, fine.body
                for channel in CHANNELS[code]:
                    per_day: dict[date, int] = {}
                    for point in fine.json["channels"][channel]:
                        if point["status"] != "missing":
                            day = day_of(point["start"], code)
                            per_day[day] = per_day.get(day, 0) + 1
                    expected = {
                        day: slots(day, code)
                        for day in self.model.data_days(code, channel, *window)
                    }
                    assert per_day == expected, (channel, per_day, expected)
        if code == ELEC:
            self.check_peaks(edv, mandate, first, end)

    def check_peaks(self, edv: str, mandate: ModelMandate, first: date, end: date) -> None:
        span = (date(2027, 3, 1), date(2027, 12, 1))
        answer = self.http.get(
            f"/v1/organisations/{edv}/access-points/{ELEC}/peak-power?from={span[0]}&to={span[1]}",
            token=self.member(edv),
        )
        window = (max(span[0], first), min(span[1], end))
        if window[1] <= window[0]:
            assert answer.code == "outside_mandate_period", answer.body
            return
        assert answer.status == 200, answer.body
        months = {d.isoformat()[:7] for d in self.model.data_days(ELEC, "offtake", *window)}
        assert {p["month"] for p in answer.json["peaks"]} == months
        for peak in answer.json["peaks"]:
            assert window[0] <= date.fromisoformat(peak["date"]) < window[1]
            if mandate.fine:
                assert peak["at"] is not None and peak["at"][:10] == peak["date"]
            else:
                assert peak["at"] is None  # a day mandate: the date, not the time of day

    def client_token(self) -> str:
        """EDV A's software's token, of the model's time."""
        key = f"client@{self.clock.instant.isoformat()[:15]}"  # tokens last 15 minutes
        if key not in self.tokens:
            self.tokens[key] = self.client_a.token()
        return self.tokens[key]

    def machine(self, query: str) -> Answer:
        """EDV A's software asking the machine API."""
        return self.client_a.get(f"/mandate/energy?ean={query}", token=self.client_token())

    def check_machine(self, code: str, verdict: str, mandate: ModelMandate | None) -> None:
        daily = self.machine(
            f"{code}&periodType=readTime&granularity=daily"
            f"&from={utc_start(RANGE[0])}&to={utc_start(RANGE[1])}"
        )
        if mandate is None:
            assert (daily.status, daily.json["code"]) == (404, "Mandates.NotFound"), daily.body
            return
        if self.model.gives_nothing(mandate):
            assert (daily.status, daily.json["code"]) == (404, "Mandates.NotFound"), daily.body
            return
        first, end = self.model.window(mandate)
        served = (max(RANGE[0], first), min(RANGE[1], end))
        assert daily.status == 200, daily.body  # clipped to the window; outside it, nothing
        expected = set()
        for channel in CHANNELS[code]:
            expected |= set(self.model.data_days(code, channel, *served))
        assert self.energy_days(daily.json, "dailyEnergy") == expected
        inserted = self.machine(
            f"{code}&periodType=insertTime&granularity=daily"
            f"&from={START.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
            f"&to={(self.model.now + timedelta(seconds=1)).astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        )
        if self.model.now - START > timedelta(days=31) - timedelta(seconds=1):
            # Insert-time windows are bounded: what changed since the start is too long a question.
            assert inserted.json["code"] == "RequestModelValidation.Failed", inserted.body
            return
        assert inserted.status == 200, inserted.body
        in_window = set()
        for channel in CHANNELS[code]:
            in_window |= set(self.model.data_days(code, channel, first, end))
        assert self.energy_days(inserted.json, "dailyEnergy") == in_window
        if not mandate.fine:
            return
        fine_key = "quarterHourlyEnergy" if code == ELEC else "hourlyEnergy"
        for cluster in CLUSTERS:
            span = (cluster[0], cluster[-1] + timedelta(days=1))
            window = (max(span[0], first), min(span[1], end))
            answer = self.machine(
                f"{code}&periodType=readTime&granularity=hourly_quarterhourly"
                f"&from={utc_start(span[0], code)}&to={utc_start(span[1], code)}"
            )
            assert answer.status == 200, answer.body
            slices = self.slices(answer.json, fine_key)
            expected_starts = {
                start
                for channel in CHANNELS[code]
                for day in self.model.data_days(code, channel, *window)
                for start in slot_starts(day, code)
            }
            assert set(slices) == {
                datetime.fromisoformat(s).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                for s in expected_starts
            }

    @staticmethod
    def slices(body: dict[str, Any], key: str) -> list[str]:
        headpoint = body["data"]["headpoint"]
        meters = headpoint.get("physicalMeters") or [headpoint]
        return [piece["start"] for meter in meters for piece in meter.get(key) or []]

    def energy_days(self, body: dict[str, Any], key: str) -> set[date]:
        return {
            datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(BRUSSELS).date()
            for start in self.slices(body, key)
        }

    @invariant()
    def feeds_carry_the_purges_and_logs_the_right_customer(self) -> None:
        purges = set()
        for edv in (A, B):
            if edv in self.model.terminated:
                token = self.token(f"member-{edv}")
            else:
                token = self.member(edv)
            feed = self.http.get(f"/v1/organisations/{edv}/mandate-events?limit=500", token=token)
            assert feed.status == 200, feed.body
            purges |= {
                (event["mandate_id"], event["details"]["purge_from"])
                for event in feed.json["items"]
                if event["type"] == "period_truncated" and event["details"].get("purge_from")
            }
        assert purges == self.model.purges
        whose = {m.id: m.grid_user for m in self.model.mandates}
        for person in PEOPLE:
            log = self.http.get("/v1/me/access-log?limit=500", token=self.token(person))
            assert log.status == 200, log.body
            assert {whose.get(entry["mandate_id"]) for entry in log.json["items"]} <= {person}

    # What people are told --------------------------------------------------------------------

    def seen_by(self, person: str) -> set[str]:
        """Who sees a mandate: who granted or asked for it, and the grid user it is for."""
        return {m.id for m in self.model.mandates if person in (m.granted_by, m.grid_user)}

    @invariant()
    def each_edv_is_told_the_mandate_in_force_and_what_it_must_delete(self) -> None:
        for edv in (A, B):
            listed = self.http.get(
                f"/v1/organisations/{edv}/access-points?limit=500", token=self.member(edv)
            )
            assert listed.status == 200, listed.body
            rows = {row["ean"]: (row["mandate_id"], row["status"]) for row in listed.json["items"]}
            expected_rows = {}
            for code in (ELEC, GAS):
                detail = self.http.get(
                    f"/v1/organisations/{edv}/access-points/{code}", token=self.member(edv)
                )
                pair = self.model.of_pair(edv, code)
                force = self.model.in_force(edv, code)
                if not pair:
                    assert detail.code == "no_mandate", detail.body
                    continue
                assert detail.status == 200, detail.body
                seen = detail.json["mandate"]
                now = self.model.now
                if force is None:
                    assert seen is None, detail.body  # only asked: a request is never in force
                else:
                    assert (seen["id"], seen["status"]) == (force.id, force.seen_status(now))
                    expected_rows[code] = (force.id, force.seen_status(now))
                asked = {m.id: m.seen_status(now) for m in pair if not m.granted}
                assert {r["id"]: r["status"] for r in detail.json["requests"]} == asked
                earlier = [m.id for m in pair if m.granted and m is not force]
                assert [m["id"] for m in detail.json["previous_mandates"]] == earlier
                reads = force is not None and force.gives_access(now)
                assert detail.json["may_read"] is reads
                if reads and force is not None:
                    assert force.current_end is not None
                    expected = {
                        "from": force.period_start.isoformat(),
                        "to": force.current_end.isoformat(),
                        "granularity": FINE[code] if force.fine else "day",
                    }
                    held = force.current_end > force.period_start
                    assert detail.json["holds"] == (expected if held else None)
            assert rows == expected_rows
            duties = self.http.get(
                f"/v1/organisations/{edv}/purge-duties?status=all&limit=500",
                token=self.member(edv),
            )
            assert duties.status == 200, duties.body
            found = sorted(
                (d["mandate_id"], d["from"], d["to"], d["keep"]) for d in duties.json["items"]
            )
            mine = {m.id for m in self.model.mandates if m.edv == edv}
            assert found == sorted(d for d in self.model.duties if d[0] in mine)

    @invariant()
    def each_person_sees_their_own_mandates_only(self) -> None:
        for person in PEOPLE:
            listed = self.http.get("/v1/me/mandates?limit=500", token=self.token(person))
            assert listed.status == 200, listed.body
            assert {m["id"] for m in listed.json["items"]} == self.seen_by(person)

    @invariant()
    def each_edv_is_billed_each_pair_and_day_once(self) -> None:
        local = self.model.now.astimezone(BRUSSELS)
        first = local.date().replace(day=1)
        end = (first + timedelta(days=32)).replace(day=1)
        for edv in (A, B):
            usage = self.http.get(
                f"/v1/organisations/{edv}/usage?month={first.isoformat()[:7]}",
                token=self.token(f"admin-{edv}"),
            )
            assert usage.status == 200, usage.body
            assert usage.json["mandate_days"] == self.model.billed_days(edv, first, end)


EntitlementModel.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    derandomize=not FRESH,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


TestEntitlementModel = EntitlementModel.TestCase
