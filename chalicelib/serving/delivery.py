"""Getting a large answer out of Lambda, whose response may not exceed 6 MB (after base64):
gzip when the client accepts it, and otherwise stage the file on S3 behind a 303 to a presigned
URL valid 15 minutes."""

from __future__ import annotations

from chalice.app import Request, Response

from ..media_types import CSV
from ..services import downloads

INLINE_LIMIT = 4_000_000  # bytes of body; base64 makes 5.3 MB of it, under Lambda's 6 MB
COMPRESS_FROM = 32_768
# ISA-L's gzip at level 1, chosen by measurement (bench/meterdata.py): on a year of quarter-hours
# as JSON (8 MB) it takes 3.5 ms where zlib takes 59 ms at level 5 and 26 ms at level 1, and its
# output is smaller than zlib's level 5.
GZIP_LEVEL = 1


def accepts_gzip(request: Request) -> bool:
    return "gzip" in (request.headers.get("accept-encoding") or "").lower()


def compress(body: bytes) -> bytes:
    from isal import igzip  # on the first large answer, not in every cold start

    return igzip.compress(body, compresslevel=GZIP_LEVEL)


def deliver(
    request: Request,
    body: bytes,
    content_type: str,
    filename: str | None = None,
    staged_name: str | None = None,
) -> Response:
    """Inline (gzip when accepted), or staged on S3 behind a 303 when too large for Lambda. A
    download carries `filename`; a staged object carries it or `staged_name`, so the file a
    person saves says what it holds."""
    headers: dict[str, str | list[str]] = {"Content-Type": content_type, "Vary": "Accept-Encoding"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if accepts_gzip(request) and len(body) >= COMPRESS_FROM:
        compressed = compress(body)
        if len(compressed) <= INLINE_LIMIT:
            return Response(
                body=compressed, status_code=200, headers={**headers, "Content-Encoding": "gzip"}
            )
    if len(body) <= INLINE_LIMIT:
        return Response(body=body, status_code=200, headers=headers)
    return Response(
        body="",
        status_code=303,
        headers={
            "Location": downloads.stage(
                body, content_type, filename or staged_name or "volumes.json"
            ),
            "Cache-Control": "no-store",
        },
    )


def wants_csv(request: Request, format_: str | None) -> bool:
    """`format=csv`, or no format and a CSV `Accept` header."""
    return format_ == "csv" or (format_ is None and CSV in (request.headers.get("accept") or ""))
