"""PynamoDB models and repositories: the only code that knows DynamoDB.

`from ..store import directory` gives a lazily loaded module (see chalicelib.lazy): PynamoDB, and
botocore under it, load when a request first touches a table, not when the app is imported.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from ..lazy import lazy_module

if TYPE_CHECKING:
    from pynamodb.models import Model

REPOSITORIES = (
    "directory",
    "onboarding",
    "api_clients",
    "access_points",
    "mandates",
    "projections",
    "feed",
    "mandate_changes",
    "market_events",
    "access_log",
    "readings",
    "ingest_reports",
    "leases",
    "machine_access",
    "tariffs",
    "webhooks",
    "sandbox",
    "job_runs",
    "exports",
    "usage",
    "purge_duties",
    "audit",
)


def __getattr__(name: str) -> ModuleType:
    if name in REPOSITORIES:
        return lazy_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def all_models() -> list[type[Model]]:
    """Every table of the system (loading the repositories registers their models)."""
    for name in REPOSITORIES:
        lazy_module(f"{__name__}.{name}").__doc__  # noqa: B018 - reading an attribute loads it
    from .base import ALL_MODELS

    return list(ALL_MODELS)
