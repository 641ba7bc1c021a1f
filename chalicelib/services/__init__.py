"""Use cases: domain rules, the store and S3, one module per capability.

`from ..services import onboarding` gives a lazily loaded module (see chalicelib.lazy): a use case
and everything under it (store, renderers, botocore) loads when a request first needs it.
"""

from __future__ import annotations

import pkgutil
from types import ModuleType

from ..lazy import lazy_module

# Every module of the package: none is loaded before it is used, whichever module asks for it.
MODULES = frozenset(info.name for info in pkgutil.iter_modules(__path__))


def __getattr__(name: str) -> ModuleType:
    if name in MODULES:
        return lazy_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
