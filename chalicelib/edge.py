"""Which paths the edge sends to the API; every other path is a page. CloudFront's behaviours
(infrastructure/pages.py) and the local server (devstack/server.py) both route by these
patterns, so `make run` answers a path as production does. `*` matches anything, `/` included,
as in CloudFront. tests/unit/test_edge_paths.py holds every routed operation to them."""

from __future__ import annotations

from fnmatch import fnmatchcase

# /.well-known and the Entra-shaped /{tenant}/… paths are the token service's.
API_PATHS = (
    "/v1/*",
    "/esco-live/*",
    "/esco-sbx/*",
    "/oauth2/*",
    "/openapi.json",
    "/.well-known/*",
    "/*/oauth2/v2.0/*",
    "/*/v2.0/.well-known/*",
)


def is_api_path(path: str) -> bool:
    return any(fnmatchcase(path, pattern) for pattern in API_PATHS)
