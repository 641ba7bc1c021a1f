"""What AWS allows, modelled where every request and answer passes, so that the local stack and
the tests see what a deployed stage would do."""

# Lambda's synchronous response, the whole JSON document API Gateway receives. Every body goes out
# base64-encoded (binary media types */*), so a body of N bytes takes about 4N/3 of it.
LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024
# API Gateway refuses a larger request before Lambda sees it; Lambda's own request limit (6 MB,
# base64 again) is lower still.
GATEWAY_REQUEST_BYTES = 10 * 1024 * 1024
LAMBDA_REQUEST_BYTES = 6 * 1024 * 1024
# A synchronous invocation of one of our functions by another (chalicelib/invoke.py): the event
# and the answer, each.
INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024
ASYNC_EVENT_BYTES = 256 * 1024  # an asynchronous invocation's event (Lambda allows at least this)
ENVELOPE_BYTES = 16 * 1024  # status, headers and JSON framing around the body


def encoded_size(body_bytes: int) -> int:
    """A body's size after base64, with the envelope around it."""
    return 4 * ((body_bytes + 2) // 3) + ENVELOPE_BYTES


def fits_lambda_response(body_bytes: int) -> bool:
    return encoded_size(body_bytes) <= LAMBDA_RESPONSE_BYTES


def fits_lambda_request(body_bytes: int) -> bool:
    return body_bytes <= GATEWAY_REQUEST_BYTES and encoded_size(body_bytes) <= LAMBDA_REQUEST_BYTES


# One DynamoDB transaction writes or checks at most this many items (TransactWriteItems). Every
# transaction counts its items against it before it is sent (store/base.py), and what a request
# may ask in one change is bounded so that it fits (domain/consent.MAX_DECLINED_EANS).
TRANSACTION_ITEMS = 100
# One DynamoDB item, attribute names and values (an ingest report's lists are bounded to fit:
# domain/ingest_report.py).
DYNAMODB_ITEM_BYTES = 400 * 1024
