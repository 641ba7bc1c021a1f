"""Modules imported on first use.

A Lambda cold start pays for every import in `import app`. botocore (under PynamoDB), jwt with
cryptography, and the renderers cost far more than the rest of the app together, and many requests
(a public page, a 401, the OpenAPI document) never need them. `lazy_module` hands out a module
object whose code runs the first time one of its attributes is read.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
