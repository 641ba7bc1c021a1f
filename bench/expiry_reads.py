"""The expiry job with 10,000 active mandates of which 10 are due: how much does it read?

It finds due mandates through the sparse expiry index, so its reads should follow the 10, not the
10,000. Printed: requests and items read, split into finding and expiring."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from .support import emulated_aws

TOTAL = 10_000
DUE = 10
EDV = "0123456749"


def _ean(serial: int) -> str:
    from chalicelib.domain.identifiers import gs1_check_digit

    data = f"54144882{serial:09d}"
    return data + str(gs1_check_digit(data))


def run(quick: bool = False) -> None:
    total = 500 if quick else TOTAL
    with emulated_aws():
        from chalicelib.domain.vocabulary import Energy, Granularity, MandateStatus
        from chalicelib.store import mandates as store
        from chalicelib.store.mandates import MandateItem, expiry_shard
        from chalicelib.store.projections import EdvAccessPointItem, facet
        from tests.support.counting import dynamodb_reads

        now = datetime(2025, 6, 1, tzinfo=UTC)
        every = total // DUE
        started = time.perf_counter()
        with MandateItem.batch_write() as mandates, EdvAccessPointItem.batch_write() as pairs:
            for index in range(total):
                is_due = index % every == 0
                until = (
                    now - timedelta(hours=1) if is_due else now + timedelta(days=30 + index % 700)
                )
                mandate_id = f"m-{index:05d}"
                ean = _ean(index)
                mandates.save(
                    MandateItem(
                        mandate_id,
                        ean=ean,
                        edv=EDV,
                        edv_ean=f"{EDV}#{ean}",
                        edv_facet=store.facet(
                            EDV, MandateStatus.ACTIVE, Energy.ELECTRICITY, Granularity.DAY
                        ),
                        granularity="day",
                        period_start="2024-01-01",
                        period_end="2025-01-01",
                        granted_at=until - timedelta(days=1096),
                        valid_until=until,
                        status="active",
                        granted_by="someone",
                        grid_user_key="person:someone",
                        energy="electricity",
                        expiry_shard=expiry_shard(mandate_id),
                        version=1,
                    )
                )
                pairs.save(
                    EdvAccessPointItem(
                        EDV,
                        ean,
                        active_mandate_id=mandate_id,
                        latest_mandate_id=mandate_id,
                        status="active",
                        granularity="day",
                        valid_until=until,
                        energy="electricity",
                        meter_type="digital",
                        direction="both",
                        updated_at=now,
                        facet=facet(EDV, "electricity", "digital", "day", "active"),
                    )
                )
        print(
            f"set-up: {total:,} active mandates, {DUE} due, in {time.perf_counter() - started:.1f} s"
        )

        with dynamodb_reads() as finding:
            due = list(store.due_for_expiry(now))
        from chalicelib.services import mandates as service

        with dynamodb_reads() as whole:
            started = time.perf_counter()
            expired = service.expire_due(now)
            elapsed = time.perf_counter() - started
        with dynamodb_reads() as again:
            second = service.expire_due(now)
        print(f"finding due mandates: {finding['requests']} queries, {finding['items']} items read")
        print(
            f"whole job: expired {expired}, {whole['requests']} read requests, {whole['items']} items "
            f"read ({whole['items'] / max(expired, 1):.1f} per expired mandate), {elapsed:.1f} s in moto"
        )
        print(f"second run: expired {second}, {again['items']} items read")
        assert len(due) == DUE


if __name__ == "__main__":
    run()
