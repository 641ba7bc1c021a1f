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


HSTS_SECONDS = 63_072_000  # two years: browsers never try plain HTTP again
REFERRER_POLICY = "strict-origin-when-cross-origin"  # a consent link's ?sessie= stays ours


def content_security_policy(identity_origin: str | None = None, *upload_origins: str) -> str:
    """Scripts, styles and calls only from this origin (and the identity provider's, whose token
    endpoint the log-in calls, and the contracts bucket's, which takes the signed contract);
    never framed; no plugins, no <base>, forms only to us."""
    connect = " ".join(filter(None, ("'self'", identity_origin, *upload_origins)))
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            f"connect-src {connect}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# On every answer, pages and API alike: HTTPS only, no type sniffing, never framed.
API_HEADERS = {
    "Strict-Transport-Security": f"max-age={HSTS_SECONDS}; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": REFERRER_POLICY,
}


def page_headers(identity_origin: str | None = None, *upload_origins: str) -> dict[str, str]:
    """What every page is served with: CloudFront's response-headers policy
    (infrastructure/pages.py) and the local server send exactly these."""
    policy = content_security_policy(identity_origin, *upload_origins)
    return {"Content-Security-Policy": policy, **API_HEADERS}
