"""`make run` delivers webhooks to an endpoint on this machine, as Lambda would on AWS."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import RunningStack
from tests.support.webhook_receiver import receiving, wait_for

pytestmark = pytest.mark.e2e
ZONNIG, KAREL = "0123456749", "541448820000001012"


def test_a_mandate_change_reaches_the_edvs_endpoint(local_stack: RunningStack) -> None:
    base = local_stack.base_url
    admin = {"Authorization": f"Bearer {local_stack.token_of('edv-admin-eva')}"}
    with receiving() as (receiver, url):
        created = requests.post(
            f"{base}/v1/organisations/{ZONNIG}/webhooks",
            json={
                "url": url,
                "event_types": ["granted", "ended"],
            },
            headers=admin,
            timeout=30,
        ).json()
        receiver.secret = created["secret"]
        karel = {"Authorization": f"Bearer {local_stack.token_of('klant-karel')}"}
        granted = requests.post(
            f"{base}/v1/me/mandates",
            json={
                "edv": ZONNIG,
                "ean": KAREL,
                "granularity": "day",
                "period_start": "2025-01-01",
                "period_end": "2026-01-01",
            },
            headers=karel,
            timeout=30,
        )
        assert granted.status_code == 201, granted.text
        wait_for(receiver, 2)
    # The new mandate replaced the demo one: "ended" (replaced) and "granted", both signed.
    assert receiver.bad_signatures == 0
    assert sorted(d["type"] for d in receiver.accepted) == ["ended", "granted"]
    assert {d["data"]["ean"] for d in receiver.accepted} == {KAREL}
