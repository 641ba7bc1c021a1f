"""A Lambda cold start pays for every import in `import app`: the app loads none of what only
some requests need (botocore under PynamoDB and boto3, jwt's cryptography, the URL parser, the
renderers). Measured in a fresh interpreter, as Lambda starts one; the time is in `make bench`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("botocore", "boto3", "pynamodb", "cryptography", "jwt", "ada_url", "qrcode", "pypdf")

PROBE = """
import json, sys
import app
from chalicelib.lazy import is_pending
loaded = {
    name: not is_pending(module)
    for name, module in sys.modules.items()
    if name.split(".")[0] in json.loads(sys.argv[1])
}
print(json.dumps(sorted(name for name, real in loaded.items() if real)))
"""


def test_import_app_loads_nothing_heavy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == [], "loaded by `import app`: " + done.stdout
