"""Run by a clean virtual environment's Python with an unpacked bundle as its only code, the way
Lambda runs it: import the handlers, the packages they reach, and whatever else the test asks.
Standard library only until the bundle is on the path. Reads its orders as JSON on stdin, prints
its findings as JSON on stdout."""

from __future__ import annotations

import base64
import importlib
import json
import os
import sys
import time
import traceback


def main() -> None:
    orders = json.load(sys.stdin)
    sys.path.insert(0, orders["task"])
    os.environ.update(orders.get("environment", {}))
    findings: dict[str, object] = {"prefix": sys.prefix, "path": sys.path}
    started = time.perf_counter()
    handlers = {}
    for handler in orders["handlers"]:
        module, attribute = handler.rsplit(".", 1)
        handlers[handler] = callable(getattr(importlib.import_module(module), attribute))
    findings["import_ms"] = (time.perf_counter() - started) * 1000
    findings["handlers"] = handlers
    findings["imports"] = {name: _imports(name) for name in orders["imports"]}
    findings["absent"] = {name: not _imports(name) for name in orders["absent"]}
    if orders.get("services"):
        import boto3

        def client(service: str) -> bool:
            try:
                boto3.client(service, region_name="eu-west-1")
            except Exception:  # botocore's UnknownServiceError: its model is not bundled
                return False
            return True

        findings["clients"] = {service: client(service) for service in orders["services"]}
    if orders.get("call"):
        module, attribute = orders["call"]["function"].rsplit(".", 1)
        function = getattr(importlib.import_module(module), attribute)
        called = time.perf_counter()
        answer = function(*orders["call"]["arguments"])
        findings["call_ms"] = (time.perf_counter() - called) * 1000
        findings["answer"] = (
            base64.b64encode(answer).decode() if isinstance(answer, bytes) else answer
        )
    findings["modules"] = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps(findings))


def _imports(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    except Exception:
        traceback.print_exc()
        return False
    return True


if __name__ == "__main__":
    main()
