""" "Meters of others" for a large EDV: every filter reads by index, and a request reads about what
it returns, whatever the size of the EDV (the guard below: at most twice the rows returned, plus
a constant). Paging reads each row once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.support.counting import dynamodb_reads, reads_follow_the_answer
from tests.support.http import Http
from tests.support.world import Edv, World, customer_with_meter, ean, grant

EDV = "0123456749"
ELECTRICITY = 60  # digital, quarter-hours, active
GAS = (61, 62)  # hours, active
ENDED = 63


@pytest.fixture
def edv(http: Http) -> Edv:
    world = World(http)
    edv = world.active(EDV, "Zonnig")
    for serial in range(1, ELECTRICITY + 1):
        grant(world, customer_with_meter(world, f"c{serial}", ean(serial)), EDV, ean(serial))
    for serial in GAS:
        customer = customer_with_meter(
            world, f"c{serial}", ean(serial), energy="gas", direction="offtake"
        )
        grant(world, customer, EDV, ean(serial), granularity="hour")
    customer = customer_with_meter(world, f"c{ENDED}", ean(ENDED))
    ended = grant(world, customer, EDV, ean(ENDED))
    assert http.post(f"/v1/me/mandates/{ended['id']}/end", token=customer.token).status == 200
    return edv


def listed(http: Http, edv: Edv, query: str) -> tuple[list[str], Any, Counter[str]]:
    with dynamodb_reads() as reads:
        answer = http.get(f"/v1/organisations/{EDV}/access-points{query}", token=edv.member)
    assert answer.status == 200, answer.body
    return [row["ean"] for row in answer.json["items"]], answer.json["next_cursor"], reads


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?energy=gas", [ean(s) for s in GAS]),
        ("?status=ended", [ean(ENDED)]),
        ("?granularity=day", []),
        ("?meter_type=amr", []),
        ("?energy=gas&status=active", [ean(s) for s in GAS]),
        (f"?status=active&ean={ean(61)[:16]}", [ean(s) for s in (60, 61, 62)]),
    ],
)
def test_a_filter_reads_what_it_returns(
    http: Http, edv: Edv, query: str, expected: list[str]
) -> None:
    eans, _, reads = listed(http, edv, query)
    assert eans == expected
    assert reads_follow_the_answer(reads, len(eans)), reads


def test_every_page_of_a_filtered_list_reads_what_it_returns_and_no_row_twice(
    http: Http, edv: Edv
) -> None:
    seen: list[str] = []
    query = "?status=active&limit=20"
    while True:
        eans, cursor, reads = listed(http, edv, query)
        assert reads_follow_the_answer(reads, len(eans)), reads
        seen += eans
        if cursor is None:
            break
        query = f"?status=active&limit=20&cursor={cursor}"
    assert seen == sorted(ean(s) for s in (*range(1, ELECTRICITY + 1), *GAS))


def test_the_guard_would_refuse_reading_the_whole_partition_for_a_filter() -> None:
    """What the filtered list did before its index: a 2-row answer after reading all 63 rows."""
    assert not reads_follow_the_answer(Counter(items=63), 2)
