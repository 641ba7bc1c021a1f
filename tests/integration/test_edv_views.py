"""What an EDV sees: meters of others, one access point with its mandate, and the change feed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.services import access_log, entitlements
from tests.support.http import Http
from tests.support.world import (
    Customer,
    Edv,
    World,
    customer_with_meter,
    ean,
    grant,
    register_access_point,
)

EDV = "0123456749"
OTHER_EDV = "0987654394"
BAKERY = "0444444496"


@pytest.fixture
def world(http: Http) -> World:
    return World(http)


@pytest.fixture
def edv(world: World) -> Edv:
    return world.active(EDV, "Zonnig")


@pytest.fixture
def other(world: World) -> Edv:
    return world.active(OTHER_EDV, "Andere")


def test_meters_of_others_lists_filters_and_pages(
    http: Http, world: World, edv: Edv, other: Edv
) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    greet = customer_with_meter(world, "greet", ean(2), energy="gas", direction="offtake")
    http.link(BAKERY, "bert", "admin", "Bakkerij")
    bert = Customer("bert", http.token("bert"))
    register_access_point(
        world,
        ean(3),
        grid_user={"enterprise_number": BAKERY},
        meter_type="amr",
        direction="offtake",
    )
    register_access_point(
        world,
        ean(4),
        grid_user={"enterprise_number": BAKERY},
        meter_type="amr",
        direction="injection",
    )
    grant(world, karel, EDV, ean(1))
    grant(world, greet, EDV, ean(2), granularity="hour")
    grant(world, bert, EDV, ean(3), granularity="day")
    ended = grant(world, bert, EDV, ean(4), granularity="day")
    http.post(f"/v1/me/mandates/{ended['id']}/end", token=bert.token)
    grant(world, karel, OTHER_EDV, ean(1))  # another EDV's mandate: not in this list

    def eans(query: str = "") -> list[str]:
        answer = http.get(f"/v1/organisations/{EDV}/access-points{query}", token=edv.member)
        assert answer.status == 200, answer.body
        return [item["ean"] for item in answer.json["items"]]

    assert eans() == [ean(1), ean(2), ean(3), ean(4)]
    assert eans("?energy=gas") == [ean(2)]
    assert eans("?meter_type=amr") == [ean(3), ean(4)]
    assert eans("?granularity=day") == [ean(3), ean(4)]
    assert eans("?status=ended") == [ean(4)]
    assert eans("?status=active&meter_type=amr") == [ean(3)]
    assert eans(f"?ean={ean(3)[:17]}") == [ean(3)]
    assert eans("?ean=5414488200000000") == [ean(1), ean(2), ean(3), ean(4)]
    rows = {
        r["ean"]: r
        for r in http.get(f"/v1/organisations/{EDV}/access-points", token=edv.member).json["items"]
    }
    assert rows[ean(1)]["address"] == "Kerkstraat 1, 9000 Gent"
    assert (
        rows[ean(4)]["address"] is None and rows[ean(4)]["meter_number"] is None
    )  # ended: nothing

    first = http.get(f"/v1/organisations/{EDV}/access-points?limit=3", token=edv.member).json
    assert len(first["items"]) == 3
    rest = http.get(
        f"/v1/organisations/{EDV}/access-points?limit=3&cursor={first['next_cursor']}",
        token=edv.member,
    ).json
    assert [r["ean"] for r in rest["items"]] == [ean(4)] and rest["next_cursor"] is None
    # A cursor of this EDV's list is worthless for another EDV, or with other filters.
    for path, token in (
        (
            f"/v1/organisations/{OTHER_EDV}/access-points?limit=3&cursor={first['next_cursor']}",
            other.member,
        ),
        (
            f"/v1/organisations/{EDV}/access-points?limit=3&energy=gas&cursor={first['next_cursor']}",
            edv.member,
        ),
    ):
        assert http.get(path, token=token).code == "invalid_cursor"
    assert (
        http.get(f"/v1/organisations/{EDV}/access-points", token=other.member).code
        == "not_a_member"
    )


def test_one_access_point_with_its_mandate_history(
    http: Http, world: World, edv: Edv, other: Edv
) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    first = grant(world, karel, EDV, ean(1), granularity="day")
    second = grant(world, karel, EDV, ean(1))
    detail = http.get(f"/v1/organisations/{EDV}/access-points/{ean(1)}", token=edv.member).json
    assert detail["mandate"]["id"] == second["id"]
    assert [m["id"] for m in detail["previous_mandates"]] == [first["id"]]
    assert detail["previous_mandates"][0]["end_reason"] == "replaced"
    assert (detail["meter_type"], detail["address"]) == ("digital", "Kerkstraat 1, 9000 Gent")
    no = http.get(f"/v1/organisations/{OTHER_EDV}/access-points/{ean(1)}", token=other.member)
    assert (no.status, no.code) == (403, "no_mandate")
    unknown = http.get(f"/v1/organisations/{EDV}/access-points/{ean(55)}", token=edv.member)
    assert unknown.code == "no_mandate"
    http.post(f"/v1/me/mandates/{second['id']}/end", token=karel.token)
    after = http.get(f"/v1/organisations/{EDV}/access-points/{ean(1)}", token=edv.member).json
    assert after["mandate"]["status"] == "ended" and after["address"] is None


def test_the_feed_is_complete_in_order_paged_and_private(
    http: Http, world: World, edv: Edv, other: Edv
) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    ids = [
        grant(world, karel, EDV, ean(1), granularity=g)["id"]
        for g in ("day", "quarter_hour", "day")
    ]
    http.post(f"/v1/me/mandates/{ids[-1]}/end", token=karel.token)
    expected = [
        ("granted", ids[0]),
        ("ended", ids[0]),
        ("granted", ids[1]),
        ("ended", ids[1]),
        ("purge_due", ids[1]),  # quarter-hours replaced by days: the fine values go
        ("granted", ids[2]),
        ("ended", ids[2]),
        ("purge_due", ids[2]),  # ended: everything it held goes
    ]
    seen: list[tuple[str, str]] = []
    seqs: list[int] = []
    cursor = None
    while True:
        query = "?limit=4" + (f"&cursor={cursor}" if cursor else "")
        page = http.get(f"/v1/organisations/{EDV}/mandate-events{query}", token=edv.member).json
        seen += [(e["type"], e["mandate_id"]) for e in page["items"]]
        seqs += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            poll = page["poll_cursor"]
            break
    assert seen == expected
    assert seqs == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [
        e["details"].get("end_reason")
        for e in http.get(f"/v1/organisations/{EDV}/mandate-events", token=edv.member).json["items"]
        if e["type"] == "ended"
    ] == ["replaced", "replaced", "revoked_by_customer"]
    # Polling later returns only what is new.
    assert (
        http.get(f"/v1/organisations/{EDV}/mandate-events?cursor={poll}", token=edv.member).json[
            "items"
        ]
        == []
    )
    newest = grant(world, karel, EDV, ean(1))
    later = http.get(
        f"/v1/organisations/{EDV}/mandate-events?cursor={poll}", token=edv.member
    ).json["items"]
    assert [(e["seq"], e["type"], e["mandate_id"]) for e in later] == [(9, "granted", newest["id"])]
    # Another EDV cannot read it, nor use its cursors; a tampered cursor is refused.
    assert (
        http.get(f"/v1/organisations/{EDV}/mandate-events", token=other.member).code
        == "not_a_member"
    )
    assert (
        http.get(
            f"/v1/organisations/{OTHER_EDV}/mandate-events?cursor={poll}", token=other.member
        ).code
        == "invalid_cursor"
    )
    tampered = poll[:-3] + ("xyz" if poll[-3:] != "xyz" else "abc")
    assert (
        http.get(f"/v1/organisations/{EDV}/mandate-events?cursor={tampered}", token=edv.member).code
        == "invalid_cursor"
    )
    assert (
        http.get(f"/v1/organisations/{OTHER_EDV}/mandate-events", token=other.member).json["items"]
        == []
    )


def test_the_access_log_shows_a_customer_the_reads_of_their_data(
    http: Http, world: World, edv: Edv
) -> None:
    karel = customer_with_meter(world, "karel", ean(1))
    http.link(BAKERY, "bert", "admin", "Bakkerij")
    register_access_point(
        world,
        ean(3),
        grid_user={"enterprise_number": BAKERY},
        meter_type="amr",
        direction="offtake",
    )
    grant(world, karel, EDV, ean(1))
    grant(world, Customer("bert", http.token("bert")), EDV, ean(3))
    now = datetime.now(UTC)
    for ean_code in (ean(1), ean(3)):
        mandate = entitlements.of(EDV, ean_code, now).mandate
        access_log.record(
            mandate,
            range_from="2025-01-01",
            range_to="2025-02-01",
            resolution="day",
            what="volumes",
            face="portal",
            now=now,
        )
    entries = http.get("/v1/me/access-log", token=karel.token).json["items"]
    assert [
        (e["ean"], e["edv"], e["resolution"], e["range_from"], e["range_to"]) for e in entries
    ] == [(ean(1), EDV, "day", "2025-01-01", "2025-02-01")]
    assert http.get(f"/v1/me/access-log?ean={ean(3)}", token=karel.token).json["items"] == []
    bert = http.token("bert")
    assert http.get("/v1/me/access-log", token=bert).json["items"] == []  # as a person: nothing
    as_bakery = http.get(f"/v1/me/access-log?organisation={BAKERY}", token=bert).json["items"]
    assert [e["ean"] for e in as_bakery] == [ean(3)]
    assert (
        http.get(f"/v1/me/access-log?organisation={BAKERY}", token=karel.token).code == "forbidden"
    )
    # A new occupant does not see the reads of the previous one's data.
    register_access_point(
        world, ean(1), grid_user={"sub": "anna"}, since="2025-02-01", scenario="move_in"
    )
    assert http.get("/v1/me/access-log", token=http.token("anna")).json["items"] == []
