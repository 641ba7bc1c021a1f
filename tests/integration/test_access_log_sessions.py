"""The access log as a person reads it (R12): reads grouped into sessions, paged by a signed
cursor, inclusive days (also for the machine API's instants across the clock change), filters
by EDV and EAN, and a CSV of every session in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.access_log import AccessRecord, days_read, sessions
from chalicelib.services import access_log, entitlements
from tests.support.http import Http
from tests.support.world import Customer, World, customer_with_meter, ean, grant

EDV = "0123456749"
OTHER_EDV = "0987654394"
T0 = datetime(2025, 3, 30, 9, 0, tzinfo=UTC)


def record(at: datetime, *, edv: str = EDV, what: str = "volumes", face: str = "portal",
           range_from: str = "2025-03-01", range_to: str = "2025-04-01") -> AccessRecord:  # fmt: skip
    return AccessRecord(
        ean(1), edv, "m", "person:karel", range_from, range_to, "day", what, face, at
    )


def test_clicks_close_together_are_one_session_and_a_pause_starts_another() -> None:
    newest_first = [
        record(T0 + timedelta(minutes=40)),
        record(T0 + timedelta(minutes=20), range_from="2025-02-01", range_to="2025-03-01"),
        record(T0 + timedelta(minutes=0)),
        record(T0 - timedelta(minutes=31)),  # 31 minutes before the session's first read
        record(T0 - timedelta(minutes=32), edv=OTHER_EDV),
        record(T0 - timedelta(minutes=33), what="peak_power"),
    ]
    grouped, resume = sessions(enumerate(newest_first), limit=10)
    assert resume is None
    assert [(s.edv, s.what, s.reads) for s in grouped] == [
        (EDV, "volumes", 3),
        (EDV, "volumes", 1),
        (OTHER_EDV, "volumes", 1),
        (EDV, "peak_power", 1),
    ]
    first = grouped[0]
    assert (first.first_day, first.last_day) == (date(2025, 2, 1), date(2025, 3, 31))
    assert (first.first_at, first.last_at) == (T0, T0 + timedelta(minutes=40))
    # A page of two ends where the second session ends; the next page starts after it.
    page, resume = sessions(enumerate(newest_first), limit=2)
    assert [s.reads for s in page] == [3, 1] and resume == 3


def test_days_read_are_inclusive_brussels_days_for_dates_and_instants() -> None:
    assert days_read(record(T0, range_from="2025-03-30", range_to="2025-03-31")) == (
        date(2025, 3, 30),
        date(2025, 3, 30),
    )
    # The machine API's half-open instants on the 23-hour day: 2025-03-29T23:00Z is midnight.
    spring = record(
        T0, range_from="2025-03-29T23:00:00+00:00", range_to="2025-03-30T22:00:00+00:00"
    )
    assert days_read(spring) == (date(2025, 3, 30), date(2025, 3, 30))
    autumn = record(
        T0, range_from="2025-10-25T22:00:00+00:00", range_to="2025-10-26T23:00:00+00:00"
    )
    assert days_read(autumn) == (date(2025, 10, 26), date(2025, 10, 26))


@pytest.fixture
def karel(http: Http) -> Customer:
    world = World(http)
    world.active(EDV, "Zonnig")
    world.active(OTHER_EDV, "Andere")
    karel = customer_with_meter(world, "karel", ean(1))
    customer_with_meter(world, "greet", ean(2))
    grant(world, karel, EDV, ean(1))
    grant(world, karel, OTHER_EDV, ean(1))
    return karel


def read(
    edv: str, at: datetime, range_from: str = "2025-01-01", range_to: str = "2025-02-01"
) -> None:
    mandate = entitlements.of(edv, ean(1), at).mandate
    access_log.record(mandate, range_from=range_from, range_to=range_to, resolution="day",
                      what="volumes", face="portal", now=at)  # fmt: skip


def test_a_customer_pages_through_sessions_and_nobody_else_sees_them(
    http: Http, karel: Customer
) -> None:
    start = datetime.now(UTC) - timedelta(days=2)
    for visit in range(5):  # five visits a day apart, twelve clicks each
        for click in range(12):
            read(EDV, start + timedelta(hours=8 * visit, minutes=click))
    read(OTHER_EDV, start + timedelta(hours=41))
    first = http.get("/v1/me/access-log/sessions?limit=2", token=karel.token)
    assert first.status == 200
    assert [(s["edv"], s["reads"]) for s in first.json["items"]] == [(OTHER_EDV, 1), (EDV, 12)]
    assert first.json["items"][1]["last_day"] == "2025-01-31"  # inclusive, as the cards say
    seen = list(first.json["items"])
    cursor = first.json["next_cursor"]
    while cursor:
        page = http.get(f"/v1/me/access-log/sessions?limit=2&cursor={cursor}", token=karel.token)
        seen += page.json["items"]
        cursor = page.json["next_cursor"]
    assert [s["reads"] for s in seen] == [1, 12, 12, 12, 12, 12]
    only_zonnig = http.get(f"/v1/me/access-log/sessions?edv={EDV}", token=karel.token).json
    assert {s["edv"] for s in only_zonnig["items"]} == {EDV} and len(only_zonnig["items"]) == 5
    assert (
        http.get(f"/v1/me/access-log/sessions?ean={ean(2)}", token=karel.token).json["items"] == []
    )
    # Greet, who shares nothing, sees none of it; Karel's cursor means nothing in her list.
    greet = http.token("greet")
    assert http.get("/v1/me/access-log/sessions", token=greet).json["items"] == []
    cursor = first.json["next_cursor"]
    assert (
        http.get(f"/v1/me/access-log/sessions?cursor={cursor}", token=greet).code
        == "invalid_cursor"
    )
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    answer = http.get(f"/v1/me/access-log/sessions?cursor={tampered}", token=karel.token)
    assert answer.code == "invalid_cursor"
    assert http.get("/v1/me/access-log/sessions", token=None).status == 401


def test_the_csv_holds_every_session_with_headings_in_the_readers_language(
    http: Http, karel: Customer
) -> None:
    start = datetime.now(UTC) - timedelta(hours=5)
    for click in range(3):
        read(EDV, start + timedelta(minutes=click))
    read(EDV, start + timedelta(hours=2), "2025-02-01", "2025-03-01")
    answer = http.get("/v1/me/access-log/sessions?format=csv&lang=fr", token=karel.token)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="consultations.csv"' in answer.headers["content-disposition"]
    lines = answer.body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("De;À;Prestataire;EAN;Premier jour;Dernier jour")
    assert len(lines) == 3
    assert lines[1].split(";")[4:7] == ["01/02/2025", "28/02/2025", "consommation"]
    cells = lines[1].split(";")
    edv = f"{EDV[:4]}.{EDV[4:7]}.{EDV[7:]}"
    assert cells[2] == edv  # as people write it, not a spreadsheet formula
    assert cells[7] == "par jour"  # words, not the API's codes
    assert lines[2].split(";")[-1] == "3"
    dutch = http.get("/v1/me/access-log/sessions?format=csv", token=karel.token)
    assert dutch.body.decode("utf-8-sig").startswith("Van;Tot;Dienstverlener;")
