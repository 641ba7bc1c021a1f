"""Modules imported on first use.

A Lambda cold start pays for every import in `import app`. botocore (under PynamoDB), jwt with
cryptography, and the renderers cost far more than the rest of the app together, and many requests
(a public page, a 401, the OpenAPI document) never need them. `lazy_module` hands out a module
object whose code runs the first time one of its attributes is read.

Safe across threads (ingest works on a file's batches at once): the first read runs the module's
code under a lock, and any other thread reading the module meanwhile waits for it to finish, where
importlib's own LazyLoader (before Python 3.12.3) lets it see a half-run module.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType
from typing import Any

_LOCK = threading.RLock()


class _Pending(ModuleType):
    """Not run yet: the first attribute read or write runs it (a write before it ran would be
    undone by running it)."""

    def __getattribute__(self, attr: str) -> Any:
        _run(self)
        return ModuleType.__getattribute__(self, attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr != "__class__":
            _run(self)
        ModuleType.__setattr__(self, attr, value)

    def __delattr__(self, attr: str) -> None:
        _run(self)
        ModuleType.__delattr__(self, attr)


def _run(module: ModuleType) -> None:
    with _LOCK:
        if type(module) is _Pending:
            spec = ModuleType.__getattribute__(module, "__spec__")
            module.__class__ = _Running  # type: ignore[assignment]  # ModuleType allows it
            try:
                spec.loader.exec_module(module)
            finally:
                module.__class__ = ModuleType  # type: ignore[assignment]


class _Running(ModuleType):
    """Being run by the thread that holds the lock: it reads its own names as they appear (as in
    any import); another thread waits until the module is complete."""

    def __getattribute__(self, attr: str) -> Any:
        with _LOCK:
            pass
        return ModuleType.__getattribute__(self, attr)


def lazy_module(name: str) -> ModuleType:
    with _LOCK:
        if name in sys.modules:
            return sys.modules[name]
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(name)
        module = importlib.util.module_from_spec(spec)
        module.__class__ = _Pending
        sys.modules[name] = module
        return module


def is_pending(module: ModuleType) -> bool:
    """Handed out but not run yet (reading nothing of it, so as not to run it)."""
    return type(module) is _Pending
