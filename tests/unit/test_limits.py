"""The platform's limits, as the app models them: base64 makes a body a third larger."""

from __future__ import annotations

from chalicelib.limits import fits_lambda_request, fits_lambda_response


def test_a_body_fits_lambda_only_after_base64() -> None:
    assert fits_lambda_response(4_000_000)
    assert not fits_lambda_response(4_800_000)  # 6.4 MB once encoded
    assert fits_lambda_request(4_000_000)
    assert not fits_lambda_request(5 * 1024 * 1024)  # a 5 MB upload never reaches Lambda
