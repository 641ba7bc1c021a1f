"""boto3 clients, made once per process. boto3 is imported on first use: most requests never
touch S3, and Lambda cold starts should not pay for it."""

from __future__ import annotations

from functools import cache
from typing import Any

from .config import settings


@cache
def s3() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name=settings().region,
        config=Config(signature_version="s3v4", retries={"mode": "standard"}),
    )
