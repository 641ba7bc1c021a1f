"""PynamoDB models and repositories: the only code that knows DynamoDB.

`from ..store import directory` gives a lazily loaded module (see chalicelib.lazy): PynamoDB, and
botocore under it, load when a request first touches a table, not when the app is imported.
"""

from __future__ import annotations

import pkgutil
from types import ModuleType
from typing import TYPE_CHECKING

from ..lazy import lazy_module

if TYPE_CHECKING:
    from pynamodb.models import Model

# Every repository of the package (base aside): none is loaded before it is used, and
# all_models() registers each one's tables.
REPOSITORIES = tuple(
    sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name != "base")
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
