"""Use cases: domain rules, the store and S3, one module per capability.

`from ..services import onboarding` gives a lazily loaded module (see chalicelib.lazy): a use case
and everything under it (store, renderers, botocore) loads when a request first needs it.
"""

from __future__ import annotations

from types import ModuleType

from ..lazy import lazy_module

MODULES = (
    "access_log",
    "access_points",
    "api_clients",
    "audit",
    "consent",
    "contention",
    "dev_issuer",
    "directory",
    "entitlements",
    "ingest",
    "kbo",
    "machine_api",
    "mandates",
    "market",
    "meterdata",
    "oauth",
    "onboarding",
    "pages",
    "purge_duties",
    "usage",
    "webhooks",
)


def __getattr__(name: str) -> ModuleType:
    if name in MODULES:
        return lazy_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
