"""Files handed out by presigned S3 URLs: an answer too large for Lambda, staged for 15 minutes
(the 303 of serving/delivery.py), and the files of a history export, for an hour."""

from __future__ import annotations

import uuid

from ..aws import s3
from ..config import settings
from ..domain.errors import DomainError
from ..observability import logger

STAGED_SECONDS = 900


def url(key: str, seconds: int) -> str:
    """A GET of the exports bucket's `key`, for `seconds`."""
    return str(
        s3().generate_presigned_url(
            "get_object",
            Params={"Bucket": settings().exports_bucket, "Key": key},
            ExpiresIn=seconds,
        )
    )


def stage(body: bytes, content_type: str, filename: str) -> str:
    """Where the file can be fetched from, for STAGED_SECONDS; it downloads as `filename`."""
    key = f"exports/{uuid.uuid4().hex}/{filename}"
    bucket = settings().exports_bucket
    try:
        s3().put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            ContentDisposition=f'attachment; filename="{filename}"',
        )
        return url(key, STAGED_SECONDS)
    except Exception as error:
        logger.exception("staging an export failed")
        raise DomainError(
            "service_unavailable", "The export could not be prepared; please try again."
        ) from error
