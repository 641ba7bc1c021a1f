"""What every table shares: region, on-demand billing, and the registry bootstrap() walks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from ..limits import TRANSACTION_ITEMS

T = TypeVar("T")
ALL_MODELS: list[type[Model]] = []


def register(model: type[Model]) -> type[Model]:
    """Class decorator: bootstrap() and the infrastructure create every registered table."""
    ALL_MODELS.append(model)
    return model


class TableMeta:
    """Base of every model's Meta; each sets table_name = table_name("...")."""

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    billing_mode = "PAY_PER_REQUEST"
    table_name = ""


Key = dict[str, Any]


class ContendedError(Exception):
    """A conditional write lost a race; the caller re-reads and tries again."""


class TooLargeError(Exception):
    """A transaction of more items than DynamoDB takes: a bug of its caller, which must bound
    what one change writes. Raised before anything is sent, so nothing is half-written."""


class BoundedTransactWrite(TransactWrite):
    """A write transaction that counts its items against DynamoDB's limit before it is sent
    (moto would fail it only as a generic validation error, AWS the same)."""

    def items(self) -> int:
        return sum(
            len(kind)
            for kind in (
                self._condition_check_items,
                self._delete_items,
                self._put_items,
                self._update_items,
            )
        )

    def _commit(self) -> Any:
        if self.items() > TRANSACTION_ITEMS:
            raise TooLargeError(
                f"{self.items()} items in one transaction; DynamoDB takes {TRANSACTION_ITEMS}"
            )
        return super()._commit()


_connection: list[Connection] = []


def transaction() -> BoundedTransactWrite:
    """A write transaction on the shared connection (a botocore client costs 100 ms to make)."""
    if not _connection:
        _connection.append(Connection(region=TableMeta.region))
    return BoundedTransactWrite(connection=_connection[0])


@contextmanager
def races_contended() -> Iterator[None]:
    """Around a transaction: lost to a failed condition or to another transaction on the same
    items, it raises ContendedError, which the caller re-reads and retries."""
    try:
        yield
    except TransactWriteError as error:
        if error.cause_response_code in ("TransactionCanceledException", "TransactionConflict"):
            raise ContendedError() from error
        raise


def take_page[T](iterator: Iterator[T], limit: int) -> tuple[list[T], Key | None]:
    """The first `limit` items of a PynamoDB query and the key to resume after them (None at end).

    It peeks one item further so the last page says so, instead of returning an empty page later.
    """
    items: list[T] = []
    for item in iterator:
        items.append(item)
        if len(items) == limit:
            break
    if len(items) < limit:
        return items, None
    resume: Key | None = iterator.last_evaluated_key  # type: ignore[attr-defined]
    try:
        next(iterator)
    except StopIteration:
        return items, None
    return items, resume


def is_condition_failure(error: PynamoDBException) -> bool:
    """A conditional write lost: the item was not in the state the write required."""
    return error.cause_response_code == "ConditionalCheckFailedException"
