"""Quotas per EDV: how much of each thing one EDV may have, or do in a while, so that one careless
or hostile EDV cannot crowd out the others or run up the operator's bill. Every refusal names the
quota and its limit, so the EDV's software and its staff know what to do. The numbers and their
reasons are listed in docs/architecture.md ("Quotas and limits")."""

from __future__ import annotations

from .errors import DomainError

# Active API clients: one per system that calls us (production, acceptance, a supplier's), with
# room to run an old and a new one side by side while rotating.
API_CLIENTS = 10
# Mock mandates in the sandbox: enough to model every kind of meter and case an EDV's software
# meets, far fewer than it would take to make the sandbox a store of its own.
SANDBOX_MOCKS = 100
# Webhook endpoints: a live and a test receiver for each of a few systems, no fan-out farm.
WEBHOOK_ENDPOINTS = 10
# Test events per endpoint and hour: enough to set a receiver up, not a way to drive traffic at a
# third party's address through our queue.
WEBHOOK_TESTS_PER_HOUR = 10


def check_room(quota: str, have: int, limit: int) -> None:
    """Room for one more of a thing an EDV keeps: 409 `quota_exceeded` at its limit."""
    if have >= limit:
        raise DomainError(
            "quota_exceeded",
            f"An energy service provider has at most {limit} {quota.replace('_', ' ')}.",
            extra={"quota": quota, "limit": limit},
        )


def check_rate(quota: str, used: int, limit: int, retry_after: int) -> None:
    """One more of a thing an EDV does in a window: 429 `rate_limited` past its limit."""
    if used > limit:
        raise DomainError(
            "rate_limited",
            f"At most {limit} {quota.replace('_', ' ')}; try again in {retry_after} s.",
            extra={"quota": quota, "limit": limit},
            headers={"Retry-After": str(retry_after)},
        )
