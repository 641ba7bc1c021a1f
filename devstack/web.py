"""The portal's static pages (web/) in the pages bucket, with the log-in settings the pages read
from /portal-config.json. On AWS the CDK app does the same (infrastructure/stack.py)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def local_login(base_url: str) -> dict[str, str]:
    """The local issuer plays CSAM's part: same flow (code + PKCE), its own endpoints."""
    return {
        "authorization_endpoint": f"{base_url}/v1/dev/authorize",
        "token_endpoint": f"{base_url}/v1/dev/oauth/token",
        "client_id": "edv-portal",
        "scope": "openid profile",
    }


def publish(s3: Any, bucket: str, login: dict[str, str]) -> int:
    """Upload every file of web/ under its own path, and the portal's configuration."""
    count = 0
    for path in sorted(WEB.rglob("*")):
        if not path.is_file():
            continue
        content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
        if content_type and content_type.startswith("text/html"):
            content_type = "text/html; charset=utf-8"
        s3.put_object(
            Bucket=bucket,
            Key=path.relative_to(WEB).as_posix(),
            Body=path.read_bytes(),
            ContentType=content_type or "application/octet-stream",
            CacheControl="no-cache",
        )
        count += 1
    s3.put_object(
        Bucket=bucket,
        Key="portal-config.json",
        Body=json.dumps(login).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    return count
